#!/usr/bin/env python3
"""Builds the labelled triage data from the cores in sources/.

Every core (one contact as a resident might put it, written for this set) is sent in on
two or three channels, each in that channel's register: an email with a greeting, a
subject and sometimes a quoted earlier message; a text in text-speak; a post at the
council; a web chat; a phone call as an agent's transcript; a letter. Some renderings get
a typo. The frozen test set is split off by core, not by rendering, so no core is ever
on both sides: 22 % of the cores of every service and every kind of risk.

    python3 data/triage/compose.py     # writes train.csv and frozen-test.csv beside it

Deterministic: the same sources give the same files.
"""
import csv
import glob
import hashlib
import os
import random
import re

HERE = os.path.dirname(os.path.abspath(__file__))
TEST_SHARE = 0.22
SEED = 20261203
STREETS = ["Mill Road", "Church Street", "Elm Close", "Station Road", "Victoria Terrace",
           "Holly Way", "Oak Avenue", "Brook Lane", "Market Place", "Albert Street",
           "Riverside Drive", "Kingsway", "Windmill Hill", "Park Crescent", "Ferry Lane"]
TOWNS = ["Westerleigh", "Stenfield", "Calderbrook", "Ashby Green", "Norwood"]
NAMES = ["Sam Patel", "J. Thompson", "Maria Kowalska", "Dave", "Aisha Rahman", "Gareth Evans",
         "Mrs P. Hughes", "Liam O'Neill", "Chloe", "Tomasz Nowak", "Bev Carter", "Ade Okafor",
         "Siobhan Reilly", "Hannah Lewis", "Mohammed Ali", "Jean Price"]
GREETINGS = ["Hello,", "Hi,", "Dear Sir/Madam,", "Good morning,", "To whom it may concern,",
             "Hi there,", ""]
SIGN_OFFS = ["Thanks", "Regards", "Many thanks", "Kind regards", "Cheers", "Thank you", ""]
AGENT_LINES = ["Okay, can I take the address please?", "Right, and when did this start?",
               "Can I take your name please?", "Okay. Bear with me while I note that down.",
               "And is there anything else going on?", "Can you tell me a bit more?",
               "What's the postcode there?"]
CALLER_TAILS = ["It's {n} {street}.", "{street}, {town}.", "Since about last week.",
                "Yeah that's right.", "I'm not sure, a while now.", "It's {name}.",
                "No, that's everything really."]
SMS_WORDS = {"you": "u", "your": "ur", "please": "pls", "tonight": "2nite", "are": "r",
             "because": "cos", "thanks": "thx", "before": "b4", "for": "4", "to": "2",
             "really": "rly", "don't": "dont", "can't": "cant", "i'm": "im", "what": "wat",
             "with": "wiv", "people": "ppl", "tomorrow": "tmrw", "someone": "sum1"}
SOCIAL_TAILS = ["", "", " #sortitout", " 😡", " 🙏", " any help?", " @DemoCouncilHelp",
                " #DemoCouncil", " ffs", " please RT"]
CHANNELS = ["email", "sms", "social", "webchat", "phone-transcript", "letter"]


def read_blocks():
    """(block name, default service, urgency, kind, cores) per '## ' block in sources/."""
    blocks = []
    for path in sorted(glob.glob(os.path.join(HERE, "sources", "*.txt"))):
        current = None
        for line in open(path, encoding="utf-8"):
            line = line.strip()
            if not line or line.startswith("# "):
                continue
            if line.startswith("## "):
                words = line[3:].split()
                if len(words) == 1 and words[0] != "hard-negative":
                    current = (words[0], words[0], "no", "", [])
                elif words[0] == "hard-negative":
                    current = ("hard-negative", None, "no", "hard-negative", [])
                else:
                    kind, service, urgency = words
                    current = (kind, service, urgency, kind, [])
                blocks.append(current)
                continue
            current[4].append(line)
    return blocks


def parse_core(line, default_service, urgency, kind):
    service, referrals = default_service, []
    match = re.match(r"!(urgent|check):([a-z-]+)\s*", line)
    if match:
        urgency = "yes" if match.group(1) == "urgent" else "check"
        kind, line = match.group(2), line[match.end():]
    match = re.match(r"\{([a-z-]+)\}\s*", line)
    if match:
        service, line = match.group(1), line[match.end():]
    match = re.match(r"\[([a-z;-]+)\]\s*", line)
    if match:
        referrals, line = match.group(1).split(";"), line[match.end():]
    return service, referrals, line, urgency, kind


def sentence(text):
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".?!" else text + "."


def typo(text, rng):
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    w = words[i]
    j = rng.randrange(1, len(w) - 2)
    words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:] if rng.random() < 0.6 else w[:j] + w[j + 1:]
    return " ".join(words)


def fill(template, rng):
    return template.format(n=rng.randint(1, 120), street=rng.choice(STREETS),
                           town=rng.choice(TOWNS), name=rng.choice(NAMES))


def render(core, channel, rng):
    if channel == "email":
        subject = " ".join(core.split()[:rng.randint(3, 6)])
        parts = []
        if rng.random() < 0.5:
            parts.append(f"Subject: {subject}")
        greeting = rng.choice(GREETINGS)
        parts.append(greeting)
        body = sentence(core)
        if rng.random() < 0.4:
            body += " " + fill(rng.choice(["I live at {n} {street}, {town}.", "The address is {n} {street}.",
                                           "Please get back to me as soon as you can."]), rng)
        parts.append(body)
        sign = rng.choice(SIGN_OFFS)
        if sign:
            parts.append(f"{sign},\n{rng.choice(NAMES)}")
        if rng.random() < 0.15:
            parts.append("On Mon, 2 Nov 2026 at 09:14, Demo Council <contact@demo-council.example> wrote:\n"
                         "> Thank you for contacting Demo Council. Your reference is HX7M-2KQ9.")
        return "\n\n".join(p for p in parts if p)
    if channel == "sms":
        words = []
        for w in core.lower().replace(",", "").split():
            words.append(SMS_WORDS.get(w, w) if rng.random() < 0.7 else w)
        return " ".join(words).replace("'", "")
    if channel == "social":
        return "@DemoCouncil " + core + rng.choice(SOCIAL_TAILS)
    if channel == "webchat":
        opener = rng.choice(["hi", "Hello", "hi is anyone there", "Hi, quick question"])
        return f"{opener}\n{core}"
    if channel == "phone-transcript":
        lines = [f"Caller: {sentence(core)}"]
        for _ in range(rng.randint(1, 2)):
            lines.append(f"Agent: {rng.choice(AGENT_LINES)}")
            lines.append(f"Caller: {fill(rng.choice(CALLER_TAILS), rng)}")
        return "\n".join(lines)
    return (f"Dear Sir/Madam,\n\n{sentence(core)} {fill('I live at {n} {street}, {town}.', rng)}\n\n"
            f"Yours faithfully,\n{rng.choice(NAMES)}")


def main():
    rng = random.Random(SEED)
    rows = {"train": [], "test": []}
    number = 0
    for name, default_service, urgency, kind, cores in read_blocks():
        order = sorted(cores, key=lambda c: hashlib.sha256(f"{SEED}{c}".encode()).hexdigest())
        held = max(1, round(len(order) * TEST_SHARE))
        test_cores = set(order[:held])
        copies = 3
        for core_line in cores:
            number += 1
            service, referrals, text, core_urgency, core_kind = parse_core(
                core_line, default_service, urgency, kind)
            group = f"c{number:04d}"
            channels = rng.sample(CHANNELS, copies)
            for k, channel in enumerate(channels):
                rendered = render(text, channel, rng)
                if k > 0 and rng.random() < 0.3:
                    rendered = typo(rendered, rng)
                split = "test" if core_line in test_cores else "train"
                rows[split].append({
                    "id": f"{group}-{k + 1}", "group": group, "channel": channel,
                    "text": rendered, "service": service, "referrals": ";".join(referrals),
                    "urgent": core_urgency,
                    "risk": core_kind if core_kind != "hard-negative" else "",
                    "hard_negative": "yes" if kind == "hard-negative" else "",
                })
    for split, file in [("train", "train.csv"), ("test", "frozen-test.csv")]:
        with open(os.path.join(HERE, file), "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(rows[split][0].keys()))
            writer.writeheader()
            writer.writerows(rows[split])
        print(f"{file}: {len(rows[split])} rows")


if __name__ == "__main__":
    main()
