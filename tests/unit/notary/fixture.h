/*
 * fixture.h: the fixed inputs shared by the notary unit tests and by the Node contract tests
 * (tests/integration/contracts/fixture.js holds the same values).  The expected hex constants in
 * the tests were computed independently with ethers.js and are asserted on both sides, so C,
 * Solidity and ethers agree byte for byte.
 */
#ifndef QIAO_TEST_NOTARY_FIXTURE_H
#define QIAO_TEST_NOTARY_FIXTURE_H

#include <stdint.h>

#include "relay/core/crypto.h"
#include "relay/notary/attest.h"

#define FIX_PAYLOAD "{\"batch\":\"CC-2024-0117\",\"origin\":\"Santos, BR\",\"quarantine\":\"pass\"}"
#define FIX_COMMITTEE_ID "8e50624cb6b2e9253363c335222aa4c4d74e8c606e3197369b603ab44e033442"
#define FIX_PAYLOAD_HASH "4c2cfbe8b402ebf9d29d30d3f0de0743603aadcf3490ebda49e53c97b1506554"
#define FIX_MSG_ID "f75d48ec4faf62ee9f7900697b3507767cfe0e1ac5fc922f630dc4deea964a5c"
#define FIX_ATTEST_DIGEST "6c2548c80fcc80badd500ccb4db0cdbfcbdd46130adf55cba9eb87dbe81ab2a6"
#define FIX_COMMITTEE_DIGEST "d00a9a92828cb8b285bb4f038e127ad5ae7a1d31d5cdfada354d572d7b4f9f65"
#define FIX_CERT_KECCAK "c89bad445ba032d05a9db6344aad9382797aeb695a6359f7485672728baa77eb"

/** Notary i (1..5) has secret key 32 bytes of 0x11*i; 1..4 form the committee, 5 is outside. */
void fix_seckey(uint8_t sk[32], int i);

/** The committee: keys 1..4, sorted; epoch 1; k = 3.  members is caller storage (4 × 20). */
void fix_committee(struct qiao_committee *c, uint8_t members[4][20], struct qiao_crypto *cx);

/** The message: 7003 -> 7001, seq 1, the FIX_PAYLOAD cold-chain record. */
void fix_message(struct qiao_message *m);

/** Decode hex that the test itself wrote (aborts on a typo in the test). */
void fix_hex(uint8_t *out, size_t n, const char *hex);

#endif
