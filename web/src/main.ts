// Entry point: the header (unit, user, language), the hash router, session handling.
import './style.css';
import { h, replace, link } from './dom';
import { api, setUnauthenticatedHandler } from './api';
import { applyLang, lang, languageName, languages, onLangChange, setLang, t } from './i18n';
import { parseRoute, Route } from './route';
import { session, setMe, isAdmin, unitName, navigate } from './app';
import { loginPage } from './pages/login';
import { casesPage } from './pages/cases';
import { casePage } from './pages/case';
import { artifactsPage } from './pages/artifacts';
import { artifactPage } from './pages/artifact';
import { graphPage } from './pages/graph';
import { searchPage } from './pages/search';
import { reportPage } from './pages/report';
import { hitsPage } from './pages/hits';
import { correlationsPage } from './pages/correlations';
import { usersPage } from './pages/users';
import { accountPage } from './pages/account';
import { directoryPage } from './pages/directory';
import { requestsPage } from './pages/requests';
import { requestPage } from './pages/request';
import { errorBox } from './ui';

const root = document.getElementById('app')!;
const header = h('header', { class: 'topbar' });
const main = h('main', { class: 'content', id: 'main' });
root.append(header, main);
let renderSeq = 0;

setUnauthenticatedHandler(() => {
  if (!session.me) return;
  setMe(null);
  session.flash = t('login.expired');
  navigate('#/login');
});

function langSwitcher(): HTMLElement {
  const sel = h('select', {
    class: 'lang', 'aria-label': t('header.language'), id: 'lang-select',
    on: { change: (e: Event) => setLang((e.target as HTMLSelectElement).value) },
  }, languages.map((l) => h('option', { value: l, selected: l === lang() }, languageName(l))));
  return sel;
}

function renderHeader(route: Route): void {
  const me = session.me;
  const navItem = (hash: string, key: string, active: boolean) =>
    h('a', { href: hash, class: ['nav-link', active && 'active'] }, t(key));
  const caseRoutes = ['cases', 'case', 'artifacts', 'artifact', 'report', 'hits', 'correlations', 'requests', 'request'];
  replace(header,
    h('div', { class: 'brand' },
      link('#/cases', h('span', { class: 'logo' }, 'evidex')),
      unitName() ? h('span', { class: 'unit' }, unitName()) : null),
    me ? h('nav', { class: 'mainnav', 'aria-label': t('header.nav') },
      navItem('#/cases', 'nav.cases', caseRoutes.includes(route.name)),
      navItem('#/search', 'nav.search', route.name === 'search'),
      navItem('#/graph', 'nav.graph', route.name === 'graph'),
      navItem('#/directory', 'nav.directory', route.name === 'directory'),
      isAdmin() ? navItem('#/users', 'nav.users', route.name === 'users') : null) : h('span', { class: 'mainnav' }),
    h('div', { class: 'userbox' },
      me ? link('#/account', h('span', { class: 'user', title: me.user.name },
        me.user.display_name || me.user.name, ' ', h('span', { class: 'role' }, t(`role.${me.user.role}`)))) : null,
      langSwitcher(),
      me ? h('button', {
        type: 'button', class: 'btn btn-small', id: 'logout',
        on: { click: async () => {
          try { await api.logout(); } catch { /* signed out anyway */ }
          setMe(null);
          // A fresh page: nothing of this session (filters, loaded pages) stays in memory.
          location.replace('#/login');
          location.reload();
        } },
      }, t('header.logout')) : null));
}

async function render(): Promise<void> {
  const seq = ++renderSeq;
  let route = parseRoute(location.hash);
  if (!session.me && route.name !== 'login') {
    try {
      setMe(await api.me());
    } catch {
      setMe(null);
    }
    if (seq !== renderSeq) return;
    if (!session.me) {
      location.replace('#/login');
      return;
    }
  }
  if (session.me?.user.must_change_password && route.name !== 'login') route = { name: 'login' };
  if (route.name === 'notfound') {
    location.replace('#/cases');
    return;
  }
  document.body.setAttribute('data-route', route.name);
  renderHeader(route);
  // Each render gets a fresh view: a page still loading for an earlier route writes into a
  // detached element instead of the current page.
  const view = h('div', { class: 'view' });
  replace(main, view);
  document.title = `evidex — ${t(`title.${route.name}`)}`;
  try {
    switch (route.name) {
      case 'login': await loginPage(view); break;
      case 'cases': await casesPage(view); break;
      case 'case': await casePage(view, route.case); break;
      case 'artifacts': await artifactsPage(view, route.case); break;
      case 'artifact': await artifactPage(view, route.case, route.artifact); break;
      case 'report': await reportPage(view, route.case); break;
      case 'hits': await hitsPage(view, route.case); break;
      case 'correlations': await correlationsPage(view, route.case); break;
      case 'graph': await graphPage(view); break;
      case 'search': await searchPage(view); break;
      case 'users': await usersPage(view); break;
      case 'account': await accountPage(view); break;
      case 'directory': await directoryPage(view); break;
      case 'requests': await requestsPage(view, route.case); break;
      case 'request': await requestPage(view, route.case, route.request); break;
    }
  } catch (e) {
    if (seq === renderSeq) view.append(errorBox(e));
  }
}

applyLang();
onLangChange(() => void render());
window.addEventListener('hashchange', () => void render());
void render();
