// Turns on GOV.UK Frontend's JavaScript enhancements; every page works without them.
import { initAll } from "/assets/govuk-frontend.min.js";
document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
