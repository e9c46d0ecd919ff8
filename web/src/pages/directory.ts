// The 24/7 directory: points of contact and central authorities, with filters (country,
// language, open now), a stale badge (not verified for long), and the form that adds an entry.
import { h, replace, debounce } from '../dom';
import { api, DirectoryEntry } from '../api';
import { t } from '../i18n';
import { canManageDirectory } from '../app';
import { badge, errorText, field, info, mono, table } from '../ui';
import { kChannels, kLegalBases, splitList } from '../coop';

export async function directoryPage(root: HTMLElement): Promise<void> {
  const listBox = h('div', { id: 'directory' });
  const msg = h('div', { class: 'form-msg', id: 'directory-msg' });
  const country = h('input', { id: 'dir-f-country', maxlength: '2', size: '4', placeholder: 'FR', spellcheck: 'false', class: 'mono' });
  const language = h('input', { id: 'dir-f-language', maxlength: '2', size: '4', placeholder: 'fr', spellcheck: 'false', class: 'mono' });
  const openNow = h('input', { type: 'checkbox', id: 'dir-f-open' });
  const reload = async () => {
    try {
      const rows = await api.directory({
        country: country.value.trim().toUpperCase(), language: language.value.trim().toLowerCase(),
        open_now: openNow.checked ? '1' : '',
      });
      replace(listBox, entriesTable(rows, reload, msg));
    } catch (e) {
      replace(listBox, info(errorText(e), 'error'));
    }
  };
  const later = debounce(() => void reload(), 250);
  country.addEventListener('input', later);
  language.addEventListener('input', later);
  openNow.addEventListener('change', () => void reload());
  const filters = h('div', { class: 'form form-inline filters', id: 'directory-filters' },
    field('directory.country', country), field('directory.language', language),
    h('label', { class: 'check' }, openNow, h('span', null, t('directory.open_now_only'))));
  root.append(h('div', { class: 'page-head' }, h('h1', null, t('directory.title'))),
    h('p', { class: 'muted small' }, t('directory.intro')),
    h('section', { class: 'panel' }, filters),
    h('section', { class: 'panel flush' }, listBox), msg);
  if (canManageDirectory()) root.append(addForm(reload));
  await reload();
}

function entriesTable(rows: DirectoryEntry[], reload: () => Promise<void>, msg: HTMLElement): HTMLElement {
  const openBadge = (e: DirectoryEntry) => e.open_now === true ? badge(t('directory.open'), 'ok')
    : e.open_now === false ? badge(t('directory.closed'), 'bad') : badge(t('directory.unknown'));
  return table<DirectoryEntry>([
    { key: 'directory.key', cell: (e) => [mono(e.key), e.own ? [' ', badge(t('directory.own'), 'action')] : null], cls: 'nowrap' },
    { key: 'directory.country', cell: (e) => mono(e.country) },
    { key: 'directory.authority', cell: (e) => [h('div', null, e.authority), e.unit ? h('div', { class: 'muted small' }, e.unit) : null,
      h('div', { class: 'small' }, [e.email, ...e.phones].filter(Boolean).join(' · '))] },
    { key: 'directory.languages', cell: (e) => mono(e.languages.join(', ')) },
    { key: 'directory.hours', cell: (e) => [h('div', null, e.hours), h('div', { class: 'muted small mono' }, e.time_zone)] },
    { key: 'directory.open_now', cell: openBadge },
    { key: 'directory.last_verified', cell: (e) => [h('span', { class: 'nowrap' }, e.last_verified), e.stale ? [' ', badge(t('directory.stale'), 'warn')] : null] },
    { key: 'common.actions', cell: (e) => canManageDirectory() ? h('button', {
      type: 'button', class: 'btn btn-small btn-danger', 'data-delete': e.key,
      on: { click: async () => {
        if (!confirm(t('directory.confirm_delete', { key: e.key }))) return;
        try { await api.deleteEntry(e.key); replace(msg); await reload(); } catch (err) { replace(msg, info(errorText(err), 'error')); }
      } },
    }, t('directory.delete')) : '' },
  ], rows, { empty: t('directory.empty'), rowClass: (e) => (e.stale ? 'stale' : '') });
}

function addForm(reload: () => Promise<void>): HTMLElement {
  const input = (id: string, attrs: Record<string, string> = {}) => h('input', { id, spellcheck: 'false', ...attrs });
  const key = input('dir-key', { required: 'true', placeholder: 'FR-OFAC-247', class: 'mono' });
  const country = input('dir-country', { required: 'true', maxlength: '2', size: '4', placeholder: 'FR', class: 'mono' });
  const authority = input('dir-authority', { required: 'true' });
  const unit = input('dir-unit');
  const email = input('dir-email', { type: 'email' });
  const phones = input('dir-phones', { placeholder: '+33 1 23 45 67 89' });
  const tz = input('dir-time-zone', { required: 'true', placeholder: 'Europe/Paris', class: 'mono' });
  const hours = input('dir-hours', { placeholder: '24/7' });
  const languages = input('dir-languages', { placeholder: 'fr, en', class: 'mono' });
  const source = input('dir-source', { required: 'true', placeholder: t('directory.source_hint') });
  const verified = input('dir-verified', { type: 'date' });
  const checks = (prefix: string, values: string[], label: (v: string) => string) => values.map((v) =>
    h('label', { class: 'check' }, h('input', { type: 'checkbox', value: v, 'data-group': prefix, id: `${prefix}-${v}` }), h('span', null, label(v))));
  const flag = (id: string, key: string) => h('label', { class: 'check' }, h('input', { type: 'checkbox', id }), h('span', null, t(key)));
  const msg = h('div', { class: 'form-msg', id: 'dir-form-msg' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'dir-submit' }, t('directory.add'));
  const form = h('form', { class: 'form', id: 'directory-form' },
    h('div', { class: 'form-inline' }, field('directory.key', key), field('directory.country', country),
      h('div', { class: 'field grow' }, field('directory.authority', authority)), h('div', { class: 'field grow' }, field('directory.unit', unit))),
    h('div', { class: 'form-inline' }, field('directory.email', email), field('directory.phones', phones),
      field('directory.time_zone', tz), field('directory.hours', hours), field('directory.languages', languages)),
    h('fieldset', { class: 'checks' }, h('legend', null, t('directory.channels')), checks('dir-ch', kChannels, (v) => t(`channel.${v}`))),
    h('fieldset', { class: 'checks' }, h('legend', null, t('directory.legal_bases')), checks('dir-lb', kLegalBases, (v) => t(`basis.${v}`))),
    h('div', { class: 'form-inline' }, flag('dir-own', 'directory.own_card'), flag('dir-art35', 'directory.art35'),
      flag('dir-g7', 'directory.g7'), flag('dir-central', 'directory.central_authority')),
    h('div', { class: 'form-inline' }, h('div', { class: 'field grow' }, field('directory.source', source)), field('directory.last_verified', verified), submit),
    msg);
  const checked = (group: string) => [...form.querySelectorAll<HTMLInputElement>(`input[data-group="${group}"]:checked`)].map((c) => c.value);
  const box = (id: string) => (form.querySelector(`#${id}`) as HTMLInputElement).checked;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    submit.disabled = true;
    replace(msg);
    const entry: Partial<DirectoryEntry> = {
      key: key.value.trim(), country: country.value.trim().toUpperCase(), authority: authority.value.trim(),
      unit: unit.value.trim(), email: email.value.trim(), phones: splitList(phones.value),
      time_zone: tz.value.trim(), languages: splitList(languages.value).map((l) => l.toLowerCase()),
      channels: checked('dir-ch'), legal_bases: checked('dir-lb'),
      own: box('dir-own'), budapest_art35: box('dir-art35'), g7: box('dir-g7'), central_authority: box('dir-central'),
      source: source.value.trim(),
    };
    if (hours.value.trim()) entry.hours = hours.value.trim();
    if (verified.value) entry.last_verified = verified.value;
    try {
      const made = await api.addEntry(entry);
      form.reset();
      replace(msg, info(t('directory.added', { key: made.key }), 'ok'));
      await reload();
    } catch (err) {
      replace(msg, info(errorText(err), 'error'));
    } finally {
      submit.disabled = false;
    }
  });
  return h('section', { class: 'panel', id: 'directory-add' }, h('h2', null, t('directory.new')), form);
}

