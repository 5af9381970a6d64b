export const id = 66;
export const ids = [66];
export const modules = {

/***/ 46066:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   publicKeysOf: () => (/* binding */ publicKeysOf)
/* harmony export */ });
/* harmony import */ var openpgp__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(13074);
/* harmony import */ var _domain_errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(10241);


/**
 * The armored public halves of private keys: a restore job that holds only a
 * private key can still encrypt its safety backup to that same key.
 */
async function publicKeysOf(armoredPrivateKeys) {
    const publicKeys = [];
    for (const armoredKey of armoredPrivateKeys) {
        try {
            const key = await openpgp__WEBPACK_IMPORTED_MODULE_0__/* .readPrivateKey */ .$k({ armoredKey });
            publicKeys.push(key.toPublic().armor());
        }
        catch {
            throw new _domain_errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo('The private key is not an armored OpenPGP private key (gpg --armor --export-secret-keys KEY-ID).');
        }
    }
    return publicKeys;
}


/***/ })

};
