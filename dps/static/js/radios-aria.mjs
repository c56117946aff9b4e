// GOV.UK Frontend marks a radio that reveals questions with aria-expanded, which ARIA does not
// allow on a radio (axe-core's aria-allowed-attr; a known issue, govuk-frontend #979). The
// revealed questions come straight after their radio, so screen reader users meet them in
// order: the state is dropped from radios, now and whenever GOV.UK Frontend sets it again.
const RADIO = 'input[type="radio"]';

export function dropRadioExpandedState(root = document) {
  const drop = (input) => input.removeAttribute("aria-expanded");
  root.querySelectorAll(`${RADIO}[aria-expanded]`).forEach(drop);
  new MutationObserver((changes) => {
    for (const { target } of changes) {
      if (target.matches(RADIO) && target.hasAttribute("aria-expanded")) drop(target);
    }
  }).observe(root, { subtree: true, attributes: true, attributeFilter: ["aria-expanded"] });
}
