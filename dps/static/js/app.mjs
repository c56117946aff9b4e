// Starts GOV.UK Frontend's components and the idle-session warning.
import { initAll } from "../govuk/govuk-frontend.min.js";
import { initTimeoutWarning } from "./timeout-warning.mjs";

initAll();
initTimeoutWarning(document.getElementById("dps-timeout"));
