/*
 * test_btc_bip143.c: known answers from BIP 143's published examples (Johnson Lau and Pieter
 * Wuille, bitcoin/bips bip-0143.mediawiki, "Example" section): the native P2WPKH, P2SH-P2WPKH,
 * both native P2WSH (OP_CODESEPARATOR, out-of-range SINGLE, SINGLE|ANYONECANPAY) and the
 * P2SH-P2WSH ALL/NONE cases.  For each: the signature hash, the BIP's signature reproduced byte
 * for byte by our RFC 6979 signer and verified, and the signed transactions decoded and encoded
 * back to the same bytes.  The hex below is copied from the BIP.
 */
#include <stdlib.h>
#include <string.h>

#include "adapters/bitcoin/btc_sighash.h"
#include "adapters/bitcoin/btc_sign.h"
#include "adapters/bitcoin/btc_tx.h"
#include "adapters/bitcoin/btc_txcodec.h"
#include "relay/core/hex.h"
#include "tests/qt.h"

static uint8_t arena_mem[1 << 16];

static uint8_t *hx(const char *hex, size_t *len)
{
    uint8_t *out = NULL;
    struct qiao_diag d = {0};
    QT_CHECKF(qiao_hex_decode_alloc(&out, len, hex, 1 << 16, &d) == QIAO_OK, "hex: %s", d.msg);
    return out;
}

struct sighash_case {
    const char *name;
    const char *unsigned_tx;
    size_t index;
    const char *script_code; /* without its length prefix */
    uint64_t amount;
    uint32_t hash_type;
    const char *sighash;
    const char *seckey;
    const char *pubkey;
    const char *signature; /* DER plus the hash-type byte */
};

#define P2WSH1_TX                                                                                  \
    "0100000002fe3dc9208094f3ffd12645477b3dc56f60ec4fa8e6f5d67c565d1c6b9216b36e0000000000ffffffff" \
    "0815cf020f013ed6cf91d29f4202e8a58726b1ac6c79da47c23d1bee0a6925f80000000000ffffffff0100f2052a" \
    "010000001976a914a30741f8145e5acadf23f751864167f32e0963f788ac00000000"
#define P2WSH2_TX                                                                                  \
    "0100000002e9b542c5176808107ff1df906f46bb1f2583b16112b95ee5380665ba7fcfc0010000000000ffffffff" \
    "80e68831516392fcd100d186b3c2c7b95c80b53c77e77c35ba03a66b429a2a1b0000000000ffffffff0280969800" \
    "000000001976a914de4b231626ef508c9a74a8517e6783c0546d6b2888ac80969800000000001976a9146648a8cd" \
    "4531e1ec47f35916de8e259237294d1e88ac00000000"
#define P2SH_P2WSH_TX                                                                              \
    "010000000136641869ca081e70f394c6948e8af409e18b619df2ed74aa106c1ca29787b96e0100000000ffffffff" \
    "0200e9a435000000001976a914389ffce9cd9ae88dcc0631e88a821ffdbe9bfe2688acc0832f05000000001976a9" \
    "147480a33f950689af511e6e84c138dbbd3c3ee41588ac00000000"
#define MULTISIG_6OF6                                                                              \
    "56210307b8ae49ac90a048e9b53357a2354b3334e9c8bee813ecb98e99a7e07e8c3ba32103b28f0c28bfab54554a" \
    "e8c658ac5c3e0ce6e79ad336331f78c428dd43eea8449b21034b8113d703413d57761b8b9781957b8c0ac1dfe69f" \
    "492580ca4195f50376ba4a21033400f6afecb833092a9a21cfdf1ed1376e58c5d1f47de74683123987e967a8f421" \
    "03a6d48b1131e94ba04d9737d61acdaa1322008af9602b3b14862c07a1789aac162102d8b661b0b3302ee2f162b0" \
    "9e07a55ad5dfbe673a9f01d9f0c19617681024306b56ae"

static const struct sighash_case CASES[] = {
    {"native P2WPKH",
     "0100000002fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f0000000000eeffff"
     "ffef51e1b804cc89d182d279655c3aa89e815b1b309fe287d9b2b55d57b90ec68a0100000000ffffffff02202cb2"
     "06000000001976a9148280b37df378db99f66f85c95a783a76ac7a6d5988ac9093510d000000001976a9143bde42"
     "dbee7e4dbe6a21b2d50ce2f0167faa815988ac11000000",
     1, "76a9141d0f172a0ecb48aee1be1f2687d2963ae33f71a188ac", 600000000, 1,
     "c37af31116d1b27caf68aae9e3ac82f1477929014d5b917657d0eb49478cb670",
     "619c335025c7f4012e556c2a58b2506e30b8511b53ade95ea316fd8c3286feb9",
     "025476c2e83188368da1ff3e292e7acafcdb3566bb0ad253f62fc70f07aeee6357",
     "304402203609e17b84f6a7d30c80bfa610b5b4542f32a8a0d5447a12fb1366d7f01cc44a0220573a954c451833"
     "1561406f90300e8f3358f51928d43c212a8caed02de67eebee01"},
    {"P2SH-P2WPKH",
     "0100000001db6b1b20aa0fd7b23880be2ecbd4a98130974cf4748fb66092ac4d3ceb1a54770100000000feffff"
     "ff02b8b4eb0b000000001976a914a457b684d7f0d539a46a45bbc043f35b59d0d96388ac0008af2f000000001976"
     "a914fd270b1ee6abcaea97fea7ad0402e8bd8ad6d77c88ac92040000",
     0, "76a91479091972186c449eb1ded22b78e40d009bdf008988ac", 1000000000, 1,
     "64f3b0f4dd2bb3aa1ce8566d220cc74dda9df97d8490cc81d89d735c92e59fb6",
     "eb696a065ef48a2192da5b28b694f87544b30fae8327c4510137a922f32c6dcf",
     "03ad1d8e89212f0b92c74d23bb710c00662ad1470198ac48c43f7d6f93a2a26873",
     "3044022047ac8e878352d3ebbde1c94ce3a10d057c24175747116f8288e5d794d12d482f0220217f36a485cae9"
     "03c713331d877c1f64677e3622ad4010726870540656fe9dcb01"},
    {"native P2WSH, unexecuted OP_CODESEPARATOR, SINGLE out of range", P2WSH1_TX, 1,
     "21026dccc749adc2a9d0d89497ac511f760f45c47dc5ed9cf352a58ac706453880aeadab210255a9626aebf5e2"
     "9c0e6538428ba0d1dcf6ca98ffdf086aa8ced5e0d0215ea465ac",
     4900000000ull, 3, "82dde6e4f1e94d02c2b7ad03d2115d691f48d064e9d52f58194a6637e4194391",
     "8e02b539b1500aa7c81cf3fed177448a546f19d2be416c0c61ff28e577d8d0cd",
     "026dccc749adc2a9d0d89497ac511f760f45c47dc5ed9cf352a58ac706453880ae",
     "3044022027dc95ad6b740fe5129e7e62a75dd00f291a2aeb1200b84b09d9e3789406b6c002201a9ecd315dd6a0"
     "e632ab20bbb98948bc0c6fb204f2c286963bb48517a7058e2703"},
    {"native P2WSH, after the executed OP_CODESEPARATOR", P2WSH1_TX, 1,
     "210255a9626aebf5e29c0e6538428ba0d1dcf6ca98ffdf086aa8ced5e0d0215ea465ac", 4900000000ull, 3,
     "fef7bd749cce710c5c052bd796df1af0d935e59cea63736268bcbe2d2134fc47",
     "86bf2ed75935a0cbef03b89d72034bb4c189d381037a5ac121a70016db8896ec",
     "0255a9626aebf5e29c0e6538428ba0d1dcf6ca98ffdf086aa8ced5e0d0215ea465",
     "304402200de66acf4527789bfda55fc5459e214fa6083f936b430a762c629656216805ac0220396f550692cd34"
     "7171cbc1ef1f51e15282e837bb2b30860dc77c8f78bc8501e503"},
    {"native P2WSH, SINGLE|ANYONECANPAY input 0", P2WSH2_TX, 0,
     "0063ab68210392972e2eb617b2388771abe27235fd5ac44af8e61693261550447a4c3e39da98ac", 16777215,
     0x83, "e9071e75e25b8a1e298a72f0d2e9f4f95a0f5cdf86a533cda597eb402ed13b3a",
     "f52b3484edd96598e02a9c89c4492e9c1e2031f471c49fd721fe68b3ce37780d",
     "0392972e2eb617b2388771abe27235fd5ac44af8e61693261550447a4c3e39da98",
     "3045022100f6a10b8604e6dc910194b79ccfc93e1bc0ec7c03453caaa8987f7d6c3413566002206216229ede9b"
     "4d6ec2d325be245c5b508ff0339bf1794078e20bfe0babc7ffe683"},
    {"native P2WSH, SINGLE|ANYONECANPAY input 1", P2WSH2_TX, 1,
     "68210392972e2eb617b2388771abe27235fd5ac44af8e61693261550447a4c3e39da98ac", 16777215, 0x83,
     "cd72f1f1a433ee9df816857fad88d8ebd97e09a75cd481583eb841c330275e54",
     "f52b3484edd96598e02a9c89c4492e9c1e2031f471c49fd721fe68b3ce37780d",
     "0392972e2eb617b2388771abe27235fd5ac44af8e61693261550447a4c3e39da98",
     "30440220032521802a76ad7bf74d0e2c218b72cf0cbc867066e2e53db905ba37f130397e02207709e2188ed7f0"
     "8f4c952d9d13986da504502b8c3be59617e043552f506c46ff83"},
    {"P2SH-P2WSH 6-of-6, ALL", P2SH_P2WSH_TX, 0, MULTISIG_6OF6, 987654321, 1,
     "185c0be5263dce5b4bb50a047973c1b6272bfbd0103a89444597dc40b248ee7c",
     "730fff80e1413068a05b57d6a58261f07551163369787f349438ea38ca80fac6",
     "0307b8ae49ac90a048e9b53357a2354b3334e9c8bee813ecb98e99a7e07e8c3ba3",
     "304402206ac44d672dac41f9b00e28f4df20c52eeb087207e8d758d76d92c6fab3b73e2b0220367750dbbe1929"
     "0069cba53d096f44530e4f98acaa594810388cf7409a1870ce01"},
    {"P2SH-P2WSH 6-of-6, NONE", P2SH_P2WSH_TX, 0, MULTISIG_6OF6, 987654321, 2,
     "e9733bc60ea13c95c6527066bb975a2ff29a925e80aa14c213f686cbae5d2f36",
     "11fa3d25a17cbc22b29c44a484ba552b5a53149d106d3d853e22fdd05a2d8bb3",
     "03b28f0c28bfab54554ae8c658ac5c3e0ce6e79ad336331f78c428dd43eea8449b",
     "3044022068c7946a43232757cbdf9176f009a928e1cd9a1a8c212f15c1e11ac9f2925d9002205b75f937ff2f9f"
     "3c1246e547e54f62e027f64eefa2695578cc6432cdabce271502"},
};

static void run_case(struct qiao_crypto *cx, const struct sighash_case *c)
{
    size_t txlen, sclen, n;
    uint8_t *raw = hx(c->unsigned_tx, &txlen), *sc = hx(c->script_code, &sclen);
    uint8_t *want = hx(c->sighash, &n), *sk = hx(c->seckey, &n), *pub = hx(c->pubkey, &n);
    size_t siglen;
    uint8_t *wantsig = hx(c->signature, &siglen);
    struct qiao_arena a;
    struct qiao_btc_txn tx;
    struct qiao_diag d = {0};
    uint8_t got[32], sig[QIAO_BTC_SIG_MAX], pub33[33];
    size_t glen = 0;
    qiao_arena_init(&a, arena_mem, sizeof(arena_mem));
    QT_CHECKF(qiao_btc_txn_decode(&tx, raw, txlen, &a, &d) == QIAO_OK, "%s: %s", c->name, d.msg);
    QT_CHECKF(qiao_btc_sighash_v0(cx, got, &tx, c->index, sc, sclen, c->amount, c->hash_type,
                                  &d) == QIAO_OK, "%s", c->name);
    QT_CHECK_MEM(got, want, 32);
    QT_CHECK(qiao_btc_pubkey33(cx, pub33, sk, &d) == QIAO_OK);
    QT_CHECK_MEM(pub33, pub, 33);
    QT_CHECK(qiao_btc_sign(cx, sig, &glen, sk, got, (uint8_t)c->hash_type, &d) == QIAO_OK);
    QT_CHECKF(glen == siglen, "%s: signature of %zu bytes, BIP has %zu", c->name, glen, siglen);
    QT_CHECK_MEM(sig, wantsig, siglen);
    QT_CHECKF(qiao_btc_verify(cx, pub, wantsig, siglen, got, &d) == QIAO_OK, "%s: %s", c->name,
              d.msg);
    got[0] ^= 1; /* the signature is bound to its digest */
    QT_CHECK(qiao_btc_verify(cx, pub, wantsig, siglen, got, NULL) == QIAO_EVERIFY);
    free(raw), free(sc), free(want), free(sk), free(pub), free(wantsig);
}

/* Signed transactions from the BIP: decode, encode back, and the txid of the stripped form. */
static const char *SIGNED[] = {
    /* native P2WPKH */
    "01000000000102fff7f7881a8099afa6940d42d1e7f6362bec38171ea3edf433541db4e4ad969f000000004948"
    "30450221008b9d1dc26ba6a9cb62127b02742fa9d754cd3bebf337f7a55d114c8e5cdd30be022040529b194ba3"
    "f9281a99f2b1c0a19c0489bc22ede944ccf4ecbab4cc618ef3ed01eeffffffef51e1b804cc89d182d279655c3aa8"
    "9e815b1b309fe287d9b2b55d57b90ec68a0100000000ffffffff02202cb206000000001976a9148280b37df378db"
    "99f66f85c95a783a76ac7a6d5988ac9093510d000000001976a9143bde42dbee7e4dbe6a21b2d50ce2f0167faa81"
    "5988ac000247304402203609e17b84f6a7d30c80bfa610b5b4542f32a8a0d5447a12fb1366d7f01cc44a022057"
    "3a954c4518331561406f90300e8f3358f51928d43c212a8caed02de67eebee0121025476c2e83188368da1ff3e"
    "292e7acafcdb3566bb0ad253f62fc70f07aeee635711000000",
    /* native P2WSH with OP_CODESEPARATOR: a three-item witness */
    "01000000000102fe3dc9208094f3ffd12645477b3dc56f60ec4fa8e6f5d67c565d1c6b9216b36e000000004847"
    "304402200af4e47c9b9629dbecc21f73af989bdaa911f7e6f6c2e9394588a3aa68f81e9902204f3fcf6ade7e5a"
    "bb1295b6774c8e0abd94ae62217367096bc02ee5e435b67da201ffffffff0815cf020f013ed6cf91d29f4202e8a5"
    "8726b1ac6c79da47c23d1bee0a6925f80000000000ffffffff0100f2052a010000001976a914a30741f8145e5aca"
    "df23f751864167f32e0963f788ac000347304402200de66acf4527789bfda55fc5459e214fa6083f936b430a76"
    "2c629656216805ac0220396f550692cd347171cbc1ef1f51e15282e837bb2b30860dc77c8f78bc8501e5034730"
    "44022027dc95ad6b740fe5129e7e62a75dd00f291a2aeb1200b84b09d9e3789406b6c002201a9ecd315dd6a0e6"
    "32ab20bbb98948bc0c6fb204f2c286963bb48517a7058e27034721026dccc749adc2a9d0d89497ac511f760f45"
    "c47dc5ed9cf352a58ac706453880aeadab210255a9626aebf5e29c0e6538428ba0d1dcf6ca98ffdf086aa8ced5e0"
    "d0215ea465ac00000000",
    /* native P2WSH, SINGLE|ANYONECANPAY */
    "01000000000102e9b542c5176808107ff1df906f46bb1f2583b16112b95ee5380665ba7fcfc0010000000000ff"
    "ffffff80e68831516392fcd100d186b3c2c7b95c80b53c77e77c35ba03a66b429a2a1b0000000000ffffffff0280"
    "969800000000001976a914de4b231626ef508c9a74a8517e6783c0546d6b2888ac80969800000000001976a91466"
    "48a8cd4531e1ec47f35916de8e259237294d1e88ac02483045022100f6a10b8604e6dc910194b79ccfc93e1bc0ec"
    "7c03453caaa8987f7d6c3413566002206216229ede9b4d6ec2d325be245c5b508ff0339bf1794078e20bfe0babc7"
    "ffe683270063ab68210392972e2eb617b2388771abe27235fd5ac44af8e61693261550447a4c3e39da98ac0247"
    "30440220032521802a76ad7bf74d0e2c218b72cf0cbc867066e2e53db905ba37f130397e02207709e2188ed7f0"
    "8f4c952d9d13986da504502b8c3be59617e043552f506c46ff83275163ab68210392972e2eb617b2388771abe2"
    "7235fd5ac44af8e61693261550447a4c3e39da98ac00000000",
};

static void round_trip(struct qiao_crypto *cx, const char *hex)
{
    size_t len;
    uint8_t *raw = hx(hex, &len);
    struct qiao_arena a;
    struct qiao_btc_txn tx;
    struct qiao_btc_tx_info info;
    struct qiao_buf b = {0}, stripped = {0};
    struct qiao_diag d = {0};
    uint8_t txid[32];
    qiao_arena_init(&a, arena_mem, sizeof(arena_mem));
    QT_CHECKF(qiao_btc_txn_decode(&tx, raw, len, &a, &d) == QIAO_OK, "%s", d.msg);
    QT_CHECK(qiao_btc_txn_encode(&b, &tx, 1, &d) == QIAO_OK);
    QT_CHECK(b.len == len && !memcmp(b.p, raw, len));
    QT_CHECK(qiao_btc_txn_encode(&stripped, &tx, 0, &d) == QIAO_OK);
    QT_CHECK(qiao_btc_tx_parse(cx, &info, raw, len, &d) == QIAO_OK && info.segwit);
    qiao_sha256d(cx, txid, stripped.p, stripped.len);
    QT_CHECK_MEM(txid, info.txid, 32);
    QT_CHECK(stripped.len == info.stripped_len);
    /* every truncation fails cleanly */
    int all_fail = 1;
    for (size_t n = 0; n < len; n++) {
        qiao_arena_init(&a, arena_mem, sizeof(arena_mem));
        all_fail &= qiao_btc_txn_decode(&tx, raw, n, &a, NULL) != QIAO_OK;
    }
    QT_CHECK(all_fail);
    qiao_buf_clear(&b), qiao_buf_clear(&stripped), free(raw);
}

int main(void)
{
    struct qiao_crypto *cx = qiao_crypto_create();
    for (size_t i = 0; i < sizeof(CASES) / sizeof(CASES[0]); i++)
        run_case(cx, &CASES[i]);
    for (size_t i = 0; i < sizeof(SIGNED) / sizeof(SIGNED[0]); i++)
        round_trip(cx, SIGNED[i]);
    qiao_crypto_destroy(cx);
    return qt_finish();
}
