// thidua-bot dashboard: the login page's form is sent at once (a link preview that only fetches
// the URL never uses the token up), and tables with class "sortable" sort by a header click.
'use strict';
document.addEventListener('DOMContentLoaded', () => {
  const auto = document.querySelector('form[data-auto-submit]');
  if (auto) auto.submit();

  for (const table of document.querySelectorAll('table.sortable')) {
    const heads = [...table.querySelectorAll('thead th')];
    heads.forEach((th, col) => {
      const button = th.querySelector('button.sort');
      if (!button) return;
      button.addEventListener('click', () => {
        const ascending = th.getAttribute('aria-sort') !== 'ascending';
        heads.forEach((h) => h.removeAttribute('aria-sort'));
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        const numeric = th.dataset.type === 'num';
        const body = table.tBodies[0];
        const value = (row) => row.cells[col].dataset.v ?? row.cells[col].textContent;
        const rows = [...body.rows].sort((a, b) => {
          const x = value(a);
          const y = value(b);
          const c = numeric ? Number(x) - Number(y) : x.localeCompare(y, document.documentElement.lang);
          return ascending ? c : -c;
        });
        body.append(...rows);
      });
    });
  }
});
