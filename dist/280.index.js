export const id = 280;
export const ids = [280];
export const modules = {

/***/ 73280:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   appendSummary: () => (/* binding */ appendSummary),
/* harmony export */   debug: () => (/* binding */ debug),
/* harmony export */   fail: () => (/* binding */ fail),
/* harmony export */   group: () => (/* binding */ group),
/* harmony export */   info: () => (/* binding */ info),
/* harmony export */   input: () => (/* binding */ input),
/* harmony export */   mask: () => (/* binding */ mask),
/* harmony export */   notice: () => (/* binding */ notice),
/* harmony export */   setOutput: () => (/* binding */ setOutput),
/* harmony export */   shownNotRun: () => (/* binding */ shownNotRun),
/* harmony export */   warning: () => (/* binding */ warning)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(77598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(73024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(48161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_os__WEBPACK_IMPORTED_MODULE_2__);
/**
 * How the action talks to the GitHub Actions runner: inputs from INPUT_*
 * variables, workflow commands on stdout (`::error::`, `::add-mask::`,
 * `::group::` …), outputs and the job summary through the files the runner
 * names in GITHUB_OUTPUT and GITHUB_STEP_SUMMARY. This is the runner's
 * documented protocol, written here in @actions/core's own format; loading
 * @actions/core instead would load its HTTP client (undici) for its OIDC
 * helper, which is most of the action's start-up time.
 */



/** An input as the runner passes it (`with: { backup-dir: … }` → INPUT_BACKUP-DIR), trimmed. */
function input(name, env = process.env) {
    return (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}
/** Escapes a command's message: a newline must not end the command. */
function escapeData(text) {
    return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
/** Escapes a command's property value, which ends at `,` and `::`. */
function escapeProperty(text) {
    return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
/** `::name key=value,…::message` on stdout. */
function command(name, message, properties = {}) {
    const given = Object.entries(properties).filter(([, value]) => value);
    const props = given.length
        ? ` ${given.map(([key, value]) => `${key}=${escapeProperty(value)}`).join(',')}`
        : '';
    process.stdout.write(`::${name}${props}::${escapeData(message)}${(node_os__WEBPACK_IMPORTED_MODULE_2___default().EOL)}`);
}
/** Masks a value in the rest of the job's log. */
const mask = (secret) => command('add-mask', secret);
/**
 * A line the runner would take for a workflow command: `::` at its start
 * after white space (.NET's, which counts U+0085 too), or the older `##[`
 * anywhere in it. The runner splits lines at `\r` too, and reads stderr as
 * well as stdout.
 */
const COMMAND_LIKE = /(?:^|[\r\n])[\s\u0085]*::|##\[/;
/**
 * Text for the log, shown and never run: text that would read as a workflow
 * command (a table's name or a server's message can say anything) goes
 * between `::stop-commands::` and its resume token, a random one the text
 * cannot know, as GitHub advises for untrusted text. `text` ends with a
 * newline.
 */
function shownNotRun(text) {
    if (!COMMAND_LIKE.test(text))
        return text;
    const token = `db-backup-${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomUUID)()}`;
    return `::stop-commands::${token}${(node_os__WEBPACK_IMPORTED_MODULE_2___default().EOL)}${text}${text.endsWith('\n') ? '' : (node_os__WEBPACK_IMPORTED_MODULE_2___default().EOL)}::${token}::${(node_os__WEBPACK_IMPORTED_MODULE_2___default().EOL)}`;
}
/** A line of the log (see shownNotRun). */
const info = (message) => void process.stdout.write(shownNotRun(`${message}${(node_os__WEBPACK_IMPORTED_MODULE_2___default().EOL)}`));
const debug = (message) => command('debug', message);
const warning = (message) => command('warning', message);
const notice = (message, title) => command('notice', message, { title });
/** An error annotation, and the step fails (exit status 1) when the process ends. */
function fail(message) {
    process.exitCode = 1;
    command('error', message);
}
/** A collapsible group in the log around the work. */
async function group(title, work) {
    command('group', title);
    try {
        return await work();
    }
    finally {
        command('endgroup', '');
    }
}
/**
 * A step output: a `name<<delimiter` block in the GITHUB_OUTPUT file, with a
 * delimiter the value cannot hold; `::set-output` where no file is named
 * (local runners and harnesses that read the log).
 */
function setOutput(name, value, env = process.env) {
    const file = env.GITHUB_OUTPUT;
    if (!file) {
        process.stdout.write((node_os__WEBPACK_IMPORTED_MODULE_2___default().EOL));
        command('set-output', value, { name });
        return;
    }
    const delimiter = `ghadelimiter_${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomUUID)()}`;
    if (name.includes(delimiter) || value.includes(delimiter))
        throw new Error(`The output ${name} holds the delimiter ${delimiter}.`);
    if (!node_fs__WEBPACK_IMPORTED_MODULE_1___default().existsSync(file))
        throw new Error(`Missing file at path: ${file}`);
    node_fs__WEBPACK_IMPORTED_MODULE_1___default().appendFileSync(file, `${name}<<${delimiter}${(node_os__WEBPACK_IMPORTED_MODULE_2___default().EOL)}${value}${(node_os__WEBPACK_IMPORTED_MODULE_2___default().EOL)}${delimiter}${(node_os__WEBPACK_IMPORTED_MODULE_2___default().EOL)}`);
}
/** Appends markdown to the job summary, when the runner names its file. */
async function appendSummary(markdown, env = process.env) {
    const file = env.GITHUB_STEP_SUMMARY;
    if (!file)
        return;
    await node_fs__WEBPACK_IMPORTED_MODULE_1___default().promises.appendFile(file, `${markdown}${(node_os__WEBPACK_IMPORTED_MODULE_2___default().EOL)}`, 'utf8');
}


/***/ })

};
