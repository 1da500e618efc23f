// Posts a form marked data-autosubmit as soon as the page loads, so that a
// hand-over to an identity provider needs no click. Without JavaScript the
// form's own button does the same.
document.querySelectorAll('form[data-autosubmit]').forEach((form) => form.submit());
