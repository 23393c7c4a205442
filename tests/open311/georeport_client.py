"""Drives Front Door's Open311 API with a third-party client, `georeport` from PyPI, in its
JSON and XML modes, and checks what comes back against the GeoReport v2 field lists.

georeport only reads, so requests are posted with `requests` exactly as the specification
describes (form-encoded, api_key), then read back through georeport.

    python tests/open311/georeport_client.py http://127.0.0.1:8080/open311/v2 API_KEY
"""

import sys

import requests
from georeport import GeoReport

SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
    "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url",
}
ATTRIBUTE_FIELDS = {"variable", "code", "datatype", "required", "datatype_description", "order", "description"}


def as_list(value):
    """xmltodict gives a dict for one element and a list for several."""
    return value if isinstance(value, list) else [value]


def post(root, fmt, key, **fields):
    body = {"api_key": key, "jurisdiction_id": "demo-council", **fields}
    response = requests.post(f"{root}/requests.{fmt}", data=body, timeout=10)
    return response


def check(root, key, fmt):
    client = GeoReport(root, jurisdiction="demo-council", output_format=fmt)

    services = as_list(client.get_service_list())
    codes = {s["service_code"] for s in services}
    assert "pothole-report" in codes, codes
    for s in services:
        assert SERVICE_FIELDS <= set(s), set(s) ^ SERVICE_FIELDS

    definition = client.get_service_definition("pothole-report")
    assert definition["service_code"] == "pothole-report"
    attributes = definition["attributes"]
    attributes = as_list(attributes["attribute"]) if fmt == "xml" else attributes
    by_code = {a["code"]: a for a in attributes}
    assert ATTRIBUTE_FIELDS <= set(by_code["surface"]), by_code["surface"]
    assert by_code["surface"]["datatype"] == "singlevaluelist"
    values = by_code["surface"]["values"]
    values = as_list(values["value"]) if fmt == "xml" else values
    surface = values[0]["key"]

    response = post(
        root, fmt, key,
        service_code="pothole-report",
        lat="53.0100", long="-1.5200",
        email="reporter@example.com", first_name="Pat", last_name="Reporter",
        description="Deep pothole by the bus stop",
        **{"attribute[surface]": surface, "attribute[size]": "Larger than a dinner plate"},
    )
    assert response.status_code == 200, response.text
    if fmt == "json":
        created = response.json()[0]
    else:
        import xmltodict
        created = xmltodict.parse(response.content)["service_requests"]["request"]
    request_id = created["service_request_id"]
    assert created["token"], created

    # georeport sends no api_key when reading, so it sees the public view of the request.
    public = client.get_service_request(request_id)
    assert REQUEST_FIELDS <= set(public), set(public) ^ REQUEST_FIELDS
    assert public["service_request_id"] == request_id
    assert public["status"] == "open"
    assert abs(float(public["lat"]) - 53.01) < 1e-6
    assert "Deep pothole" not in (public["description"] or ""), "free text is not public"
    # A partner with a key sees what the resident wrote.
    keyed = requests.get(f"{root}/requests/{request_id}.json", params={"api_key": key}, timeout=10)
    assert "Deep pothole" in keyed.json()[0]["description"], keyed.text

    listed = as_list(client.get_service_requests(service_code="pothole-report", status="open"))
    assert request_id in {r["service_request_id"] for r in listed}
    closed = client.get_service_requests(service_code="pothole-report", status="closed")
    assert request_id not in {r["service_request_id"] for r in as_list(closed or [])}
    several = as_list(client.get_service_requests(service_request_id=request_id))
    assert [r["service_request_id"] for r in several] == [request_id]

    outside = post(root, fmt, key, service_code="pothole-report", lat="53.1", long="-1.5",
                   email="reporter@example.com", first_name="Pat",
                   **{"attribute[surface]": surface, "attribute[size]": "Larger than a dinner plate",
                      "attribute[details]": "x"})
    assert outside.status_code == 400, outside.text
    assert "Northby District Council" in outside.text, outside.text
    assert post(root, fmt, "wrong-key", service_code="pothole-report").status_code == 403
    try:
        client.get_service_definition("no-such-service")
        raise AssertionError("an unknown service must be a 404")
    except requests.HTTPError as error:
        assert error.response.status_code == 404
    print(f"georeport {fmt}: ok ({len(services)} services, request {request_id})")


def main():
    root, key = sys.argv[1], sys.argv[2]
    for fmt in ("json", "xml"):
        check(root, key, fmt)


if __name__ == "__main__":
    main()
