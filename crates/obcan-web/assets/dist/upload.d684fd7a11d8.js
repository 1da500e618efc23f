// Shows the progress of an upload on "Moje dokumenty". Without JavaScript
// the form posts as it is and the page answers when the files are stored;
// with it, the same post goes through XMLHttpRequest so that its progress
// can be shown, and the page the server answers with replaces this one.
const form = document.getElementById('upload-form');
const progress = document.getElementById('upload-progress');
const bar = document.getElementById('upload-bar');
const percent = document.getElementById('upload-percent');

if (form && progress && bar && percent && window.XMLHttpRequest && window.FormData) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type="submit"]');
    if (button) button.disabled = true;
    progress.hidden = false;
    const request = new XMLHttpRequest();
    request.open('POST', form.action);
    request.upload.addEventListener('progress', (step) => {
      if (!step.lengthComputable) return;
      const done = Math.floor((step.loaded / step.total) * 100);
      bar.value = done;
      percent.textContent = `${done} %`;
    });
    request.addEventListener('load', () => {
      // Redirected to the list, or the list with what was refused.
      if (request.responseURL && request.responseURL !== form.action) {
        window.location.assign(request.responseURL);
      } else {
        document.open();
        document.write(request.responseText);
        document.close();
      }
    });
    request.addEventListener('error', () => form.submit());
    request.send(new FormData(form));
  });
}
