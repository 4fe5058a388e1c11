// SPDX-License-Identifier: MIT
// bertd's operator page. Everything a module or the daemon says is put in
// the page with textContent, never as markup, so a vendor name such as
// "<script>" shows as text. State comes from /api/status, then live from
// the event stream /api/events (the control socket's subscribe stream).
'use strict';

const api = { token: '', csrf: '' };
const sites = new Map();	// site number -> { el, st }
let es = null, retry = null, runsTimer = null;

(function readToken() {
	const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);

	if (m) {
		sessionStorage.setItem('bert-token', decodeURIComponent(m[1]));
		history.replaceState(null, '', location.pathname);
	}
	api.token = sessionStorage.getItem('bert-token') || '';
})();

function headers(json) {
	const h = {};

	if (json)
		h['Content-Type'] = 'application/json';
	if (api.token)
		h.Authorization = 'Bearer ' + api.token;
	if (api.csrf)
		h['X-CSRF-Token'] = api.csrf;
	return h;
}

async function get(path) {
	const r = await fetch(path, { headers: headers(false), cache: 'no-store' });

	return r.json();
}

async function post(path, body) {
	const r = await fetch(path, { method: 'POST', headers: headers(true),
				      body: JSON.stringify(body), cache: 'no-store' });

	return r.json();
}

function text(el, s) {
	el.textContent = s === undefined || s === null ? '' : String(s);
}

function shownVerdict(status, verdict) {
	if (status === 'aborted' || status === 'error')
		return status;
	return verdict && verdict !== 'none' ? verdict : '';
}

function fmtS(s) {
	if (typeof s !== 'number' || !isFinite(s) || s < 0)
		return 'n/a';
	return s < 100 ? s.toFixed(1) + ' s' : Math.round(s) + ' s';
}

function tile(n) {
	let t = sites.get(n);

	if (t)
		return t;
	const el = document.getElementById('tile').content.firstElementChild.cloneNode(true);

	el.id = 'site-' + n;
	el.dataset.site = n;
	t = { el, st: { site: n, state: 'idle' } };
	sites.set(n, t);
	const box = document.getElementById('sites');
	const after = [...box.children].find((c) => Number(c.dataset.site) > n);

	box.insertBefore(el, after || null);
	const serial = el.querySelector('.serial');

	// a barcode scanner types the serial and presses Enter
	serial.addEventListener('keydown', (e) => {
		if (e.key !== 'Enter')
			return;
		e.preventDefault();
		t.st.armed = serial.value.trim();
		text(el.querySelector('.msg'), t.st.armed ? 'serial ' + t.st.armed +
		     ' ready: press Start' : '');
		el.querySelector('.start').focus();
	});
	el.querySelector('form').addEventListener('submit', (e) => e.preventDefault());
	el.querySelector('.start').addEventListener('click', () => start(n));
	el.querySelector('.abort').addEventListener('click', () => abort(n));
	return t;
}

function render(n) {
	const { el, st } = tile(n);
	const q = (s) => el.querySelector(s);
	let state = st.state === 'starting' ? 'running' : st.state;

	if (state === 'idle' && st.error)
		state = 'error';
	else if (state === 'idle' && st.present)
		state = 'present';
	el.dataset.state = state;
	text(q('.name'), st.name || 'site ' + n);
	text(q('.state'), state);
	text(q('.vendor'), st.vendor);
	text(q('.pn'), st.pn);
	text(q('.sn'), st.serial ? 'SN ' + st.serial : '');
	const v = q('.verdict');

	v.dataset.verdict = st.verdict || '';
	text(v, st.verdict || '');
	const running = state === 'running' || state === 'aborting';

	if (running && st.step)
		text(q('.step'), 'step ' + st.index + '/' + st.of + ' ' + st.step +
		     (st.lane ? ', lane ' + st.lane : ''));
	else
		text(q('.step'), st.profile && running ? st.profile : '');
	let frac = 0;

	if (running && st.of)
		frac = Math.max(0, (st.index - 1) / st.of);
	else if (st.verdict)
		frac = 1;
	q('.fill').style.width = (100 * frac).toFixed(1) + '%';
	text(q('.elapsed'), running || st.verdict ? 'elapsed ' + fmtS(st.t) : '');
	// ETA from the steps done so far (station time): n/a before one ends
	let eta = '';

	if (running)
		eta = st.of && st.index > 1 && st.t > 0 ?
			'ETA ~' + fmtS(st.t / (st.index - 1) * (st.of - st.index + 1)) :
			'ETA n/a';
	text(q('.eta'), eta);
	q('.start').disabled = running;
	q('.abort').disabled = !running || state === 'aborting';
}

function fromStatus(s) {
	const t = tile(s.site), st = t.st;

	st.name = s.name;
	st.state = s.state;
	st.present = s.present;
	st.serial = s.module_serial;
	st.vendor = s.module_vendor;
	st.pn = s.module_pn;
	st.profile = s.profile;
	st.step = s.step;
	st.index = s.index;
	st.of = s.of;
	st.lane = s.lane;
	if (s.state !== 'idle')
		st.t = s.t;
	if (s.state !== 'idle') {
		st.verdict = '';
		st.error = false;
	} else if (s.last && !st.cleared) {
		st.verdict = shownVerdict(s.last.status, s.last.verdict);
		st.error = s.last.status === 'error';
	}
	render(s.site);
}

function onEvent(ev) {
	const n = ev.site;

	if (!n)
		return;
	const st = tile(n).st;

	if (typeof ev.t === 'number')
		st.t = ev.t;
	switch (ev.event) {
	case 'site':
		st.state = ev.state;
		if (ev.state === 'idle')
			refreshSoon();
		break;
	case 'presence':
		st.present = ev.present;
		// the last verdict stays until the next insertion
		if (ev.present) {
			st.verdict = '';
			st.error = false;
			st.cleared = true;
			st.vendor = st.pn = st.serial = '';
		}
		break;
	case 'run':
		st.state = 'running';
		st.profile = ev.profile;
		st.verdict = '';
		st.error = false;
		st.step = '';
		st.index = st.of = st.lane = 0;
		st.t = 0;
		break;
	case 'step':
		st.step = ev.step;
		st.index = ev.index;
		st.of = ev.of;
		st.lane = 0;
		break;
	case 'lane':
		st.lane = ev.lane;
		break;
	case 'step_end':
		// identify read the module's vendor, PN and serial: the status has them
		if (ev.step === 'identify')
			refreshSoon();
		break;
	case 'verdict':
		st.verdict = shownVerdict(ev.status, ev.verdict);
		st.error = ev.status === 'error';
		st.cleared = false;
		if (ev.serial)
			st.serial = ev.serial;
		text(tile(n).el.querySelector('.msg'), ev.message || '');
		// for the browser test: when the page showed it (wall clock)
		window.bertVerdictShown = window.bertVerdictShown || {};
		window.bertVerdictShown[n] = performance.timeOrigin + performance.now();
		refreshSoon();
		break;
	default:
		return;
	}
	render(n);
}

async function start(n) {
	const t = tile(n), serial = t.el.querySelector('.serial');
	const sn = t.st.armed || serial.value.trim();
	const body = { site: n };

	if (sn)
		body.serial = sn;
	const r = await post('/api/start', body).catch((e) => ({ error: { message: String(e) } }));

	text(t.el.querySelector('.msg'), r.ok ? '' : r.error.message);
	if (r.ok) {
		serial.value = '';
		t.st.armed = '';
	}
}

async function abort(n) {
	const t = tile(n);

	if (!confirm('Abort the run at site ' + n + '?'))
		return;
	const r = await post('/api/abort', { site: n }).catch((e) => ({ error: { message: String(e) } }));

	text(t.el.querySelector('.msg'), r.ok ? 'aborting' : r.error.message);
}

function refreshSoon() {
	clearTimeout(runsTimer);
	runsTimer = setTimeout(() => refresh().catch(() => {}), 200);
}

async function refreshRuns() {
	const r = await get('/api/results?limit=200');

	if (!r.ok)
		return;
	const tb = document.querySelector('#runs tbody');

	tb.replaceChildren();
	for (const run of r.runs.slice(0, 20)) {
		const tr = document.createElement('tr');
		const v = shownVerdict(run.status, run.verdict) || run.status;
		const cells = ['#' + run.id, run.site, run.serial, v,
			       run.wall_start ? new Date(run.wall_start * 1000).toLocaleTimeString() : 'n/a'];

		for (const c of cells) {
			const td = document.createElement('td');

			text(td, c);
			tr.appendChild(td);
		}
		tr.children[3].className = 'v-' + v;
		const td = document.createElement('td');

		// a stored run has its text report
		if (run.status !== 'running') {
			const a = document.createElement('a');

			a.href = '/api/report?id=' + encodeURIComponent(run.id) +
				(api.token ? '&token=' + encodeURIComponent(api.token) : '');
			a.target = '_blank';
			a.rel = 'noopener';
			text(a, 'report');
			td.appendChild(a);
		} else {
			text(td, 'n/a');
		}
		tr.appendChild(td);
		tb.appendChild(tr);
	}
	// today's yield per site: passing modules (pass or marginal) among the
	// runs completed since local midnight; aborted runs and station errors
	// say nothing about the module and are not counted
	const midnight = new Date();

	midnight.setHours(0, 0, 0, 0);
	const by = new Map();

	for (const n of sites.keys())
		by.set(n, { pass: 0, runs: 0 });
	for (const run of r.runs) {
		if (run.status !== 'complete' || run.wall_start * 1000 < midnight.getTime())
			continue;
		const y = by.get(run.site) || { pass: 0, runs: 0 };

		y.runs++;
		if (run.verdict === 'pass' || run.verdict === 'marginal')
			y.pass++;
		by.set(run.site, y);
	}
	const yb = document.querySelector('#yield tbody');

	yb.replaceChildren();
	for (const [n, y] of [...by].sort((a, b) => a[0] - b[0])) {
		const tr = document.createElement('tr');

		for (const c of [n, y.pass, y.runs, y.runs ?
				 (100 * y.pass / y.runs).toFixed(0) + ' %' : 'n/a']) {
			const td = document.createElement('td');

			text(td, c);
			tr.appendChild(td);
		}
		tr.id = 'yield-' + n;
		yb.appendChild(tr);
	}
}

function setConn(up) {
	const c = document.getElementById('conn');

	c.className = 'conn ' + (up ? 'up' : 'down');
	text(c, up ? 'connected' : 'disconnected');
	document.body.dataset.conn = up ? 'up' : 'down';
}

async function resync() {
	const s = await get('/api/session');

	api.csrf = s.csrf || '';
	await refresh();
}

async function refresh() {
	const st = await get('/api/status');

	if (!st.ok)
		throw new Error(st.error ? st.error.message : 'status');
	text(document.getElementById('station'), st.station);
	document.title = 'bert ' + st.station;
	for (const site of st.sites)
		fromStatus(site);
	await refreshRuns();
}

function connect() {
	clearTimeout(retry);
	if (es)
		es.close();
	es = new EventSource('/api/events' + (api.token ? '?token=' +
					       encodeURIComponent(api.token) : ''));
	es.onopen = () => {
		// subscribed first, then the status: no event falls between
		resync().then(() => setConn(true)).catch(() => {
			setConn(false);
			es.close();
			retry = setTimeout(connect, 1000);
		});
	};
	es.onmessage = (m) => {
		let ev;

		try {
			ev = JSON.parse(m.data);
		} catch (e) {
			return;
		}
		onEvent(ev);
	};
	es.onerror = () => {
		// the daemon went away (or restarts): say so, try again each second
		setConn(false);
		es.close();
		retry = setTimeout(connect, 1000);
	};
}

setConn(false);
connect();
