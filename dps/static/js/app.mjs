// Starts GOV.UK Frontend's components and the idle-session warning.
import { initAll } from "../govuk/govuk-frontend.min.js";
import { dropRadioExpandedState } from "./radios-aria.mjs";
import { initTimeoutWarning } from "./timeout-warning.mjs";

initAll();
dropRadioExpandedState();
initTimeoutWarning(document.getElementById("dps-timeout"));
