// goodpath: small progressive enhancements. Every page works without this file.
// Forms and buttons marked data-confirm="question" ask before they grant or destroy anything.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.getAttribute("data-confirm") || event.submitter?.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
