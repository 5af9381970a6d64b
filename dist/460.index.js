export const id = 460;
export const ids = [460];
export const modules = {

/***/ 13460:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   sendBeforeExit: () => (/* binding */ sendBeforeExit)
/* harmony export */ });
/* harmony import */ var _process_child_processes_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(48415);
/* harmony import */ var _domain_version_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(43356);
/* harmony import */ var _post_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(21283);



/**
 * Run by a child Node.js: POSTs every request at once and exits when all are
 * answered or the time is up. The requests (whose URLs are secrets) arrive on
 * stdin, never in the argument list.
 */
const SENDER = `
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c)).on('end', async () => {
  const { requests, budgetMs, agent } = JSON.parse(Buffer.concat(chunks).toString());
  const signal = AbortSignal.timeout(budgetMs);
  await Promise.allSettled(requests.map((r) =>
    fetch(r.url, { method: 'POST', headers: { ...r.headers, 'Content-Type': r.contentType, 'User-Agent': agent }, body: r.body, signal })
      .then((res) => res.body?.cancel())));
  process.exit(0);
});`;
/**
 * Sends `requests` while this process waits, blocked: used when a signal
 * stops the run, so that the interrupted job cannot move on meanwhile. At
 * most `budgetMs` (plus a second for the child to start); no retry, no
 * report — the process exits right after.
 */
function sendBeforeExit(requests, budgetMs) {
    if (requests.length === 0)
        return;
    const sent = requests.map(({ url, contentType, body }) => {
        const { href, headers } = (0,_post_js__WEBPACK_IMPORTED_MODULE_1__/* .withoutCredentials */ .r)(url);
        return { url: href, headers, contentType, body };
    });
    // The child's environment is the notifier's allow-list: no secret of ours travels with it.
    (0,_process_child_processes_js__WEBPACK_IMPORTED_MODULE_0__/* .runChildSync */ .VR)('notifier', process.execPath, ['-e', SENDER], {
        input: JSON.stringify({ requests: sent, budgetMs, agent: `${_domain_version_js__WEBPACK_IMPORTED_MODULE_2__/* .TOOL_NAME */ .l}/${_domain_version_js__WEBPACK_IMPORTED_MODULE_2__/* .TOOL_VERSION */ .w}` }),
        timeoutMs: budgetMs + 1000,
    });
}


/***/ }),

/***/ 48415:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   VR: () => (/* binding */ runChildSync),
/* harmony export */   aJ: () => (/* binding */ inheritedEnvironment),
/* harmony export */   v0: () => (/* binding */ startChild),
/* harmony export */   w$: () => (/* binding */ runChild)
/* harmony export */ });
/* unused harmony export childEnvironment */
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(31421);
/* harmony import */ var node_child_process__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_child_process__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(57975);
/* harmony import */ var node_util__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_util__WEBPACK_IMPORTED_MODULE_1__);
/**
 * The only place that starts child processes (a lint rule keeps it so). A
 * child never gets a copy of our environment, which holds DATABASE_URL, the
 * backup passphrase, cloud keys and tokens: it gets what its purpose allows,
 * by name, and nothing else — version probes included.
 */


const execFileAsync = (0,node_util__WEBPACK_IMPORTED_MODULE_1__.promisify)(node_child_process__WEBPACK_IMPORTED_MODULE_0__.execFile);
/** Every child may have these: where programs are, and the language and time zone of its messages. */
const EVERY_CHILD = /^(PATH|LANG|LANGUAGE|LC_[A-Z_]+|TZ|SYSTEMROOT)$/;
/** Taken from our own environment, per purpose, besides EVERY_CHILD. */
const INHERITED = {
    // An unpacked client package finds its libpq through the library path.
    'version-probe': /^(LD_LIBRARY_PATH|DYLD_LIBRARY_PATH)$/,
    // HOME: ~/.pgpass and ~/.postgresql/root.crt; Kerberos for GSSAPI logins; libpq's service files.
    'libpq-client': /^(HOME|LD_LIBRARY_PATH|DYLD_LIBRARY_PATH|KRB5CCNAME|KRB5_CONFIG|PGSERVICEFILE|PGSYSCONFDIR)$/,
    // curl and apt behind a proxy.
    'client-installer': /^(HOME|https?_proxy|no_proxy|HTTPS?_PROXY|NO_PROXY)$/,
    // Node.js posting the last notifications of an interrupted run: a company CA, a proxy.
    notifier: /^(NODE_EXTRA_CA_CERTS|NODE_USE_ENV_PROXY|https?_proxy|no_proxy|HTTPS?_PROXY|NO_PROXY)$/,
};
/** Set by the caller for the call at hand (the connection: PGHOST, PGPASSWORD, ...). */
const GIVEN = {
    'version-probe': undefined,
    'libpq-client': /^PG[A-Z_]+$/,
    'client-installer': undefined,
    notifier: undefined,
};
function pick(env, allowed) {
    const picked = {};
    for (const [name, value] of Object.entries(env)) {
        if (value !== undefined && allowed(name))
            picked[name] = value;
    }
    return picked;
}
/** What a child of `purpose` may inherit from `from` (our environment). */
function inheritedEnvironment(purpose, from = process.env) {
    return pick(from, (name) => EVERY_CHILD.test(name) || INHERITED[purpose].test(name));
}
/**
 * The environment a child of `purpose` starts with: `env` filtered by the
 * purpose's allow-list. Whatever a caller passes (even all of process.env),
 * nothing outside the list reaches the child.
 */
function childEnvironment(purpose, env) {
    const given = GIVEN[purpose];
    return pick(env, (name) => EVERY_CHILD.test(name) || INHERITED[purpose].test(name) || (given?.test(name) ?? false));
}
/** Starts `file` without a shell, with an argument array and the purpose's environment. */
function startChild(purpose, file, args, options) {
    return (0,node_child_process__WEBPACK_IMPORTED_MODULE_0__.spawn)(file, args, {
        env: childEnvironment(purpose, options.env),
        stdio: options.stdio,
        shell: false,
    });
}
/** Runs `file` to its end and returns what it printed; fails on a non-zero exit or the timeout. */
async function runChild(purpose, file, args, options = {}) {
    const { stdout, stderr } = await execFileAsync(file, args, {
        env: childEnvironment(purpose, options.env ?? inheritedEnvironment(purpose)),
        shell: false,
        encoding: 'utf8',
        maxBuffer: 16 * 1024 * 1024,
        ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    });
    return { stdout, stderr };
}
/**
 * Runs `file` to its end while this process waits, blocked (nothing else of
 * ours moves meanwhile), feeding it `input` on stdin; killed after the timeout.
 */
function runChildSync(purpose, file, args, options) {
    (0,node_child_process__WEBPACK_IMPORTED_MODULE_0__.spawnSync)(file, args, {
        env: inheritedEnvironment(purpose),
        input: options.input,
        stdio: ['pipe', 'ignore', 'ignore'],
        timeout: options.timeoutMs,
        killSignal: 'SIGKILL',
        shell: false,
    });
}


/***/ })

};
