/* fixture.c: fixed notary test inputs (see fixture.h). */
#include "tests/unit/notary/fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay/core/hex.h"
#include "relay/core/keccak.h"
#include "relay/core/secp.h"

void fix_hex(uint8_t *out, size_t n, const char *hex)
{
    if (qiao_hex_decode_exact(out, n, hex, NULL) != QIAO_OK) {
        fprintf(stderr, "fixture: bad hex constant %s\n", hex);
        abort();
    }
}

void fix_seckey(uint8_t sk[32], int i)
{
    memset(sk, 0x11 * i, 32);
}

void fix_committee(struct qiao_committee *c, uint8_t members[4][20], struct qiao_crypto *cx)
{
    uint8_t pub[64], sk[32], tmp[20];
    for (int i = 0; i < 4; i++) {
        fix_seckey(sk, i + 1);
        if (qiao_secp_pubkey(cx, pub, members[i], sk, NULL) != QIAO_OK)
            abort();
    }
    for (int i = 1; i < 4; i++) /* insertion sort by address */
        for (int j = i; j > 0 && memcmp(members[j - 1], members[j], 20) > 0; j--) {
            memcpy(tmp, members[j], 20);
            memcpy(members[j], members[j - 1], 20);
            memcpy(members[j - 1], tmp, 20);
        }
    memset(c, 0, sizeof(*c));
    fix_hex(c->id, 32, FIX_COMMITTEE_ID);
    c->epoch = 1;
    c->members = (const uint8_t(*)[20])members;
    c->n = 4;
    c->k = 3;
}

void fix_message(struct qiao_message *m)
{
    memset(m, 0, sizeof(*m));
    m->version = 1;
    m->src_chain_id = 7003;
    fix_hex(m->src_emitter, 20, "5FbDB2315678afecb367f032d93F642f64180aa3");
    m->seq = 1;
    m->dst_chain_id = 7001;
    fix_hex(m->sender, 20, "f39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    fix_hex(m->receiver, 20, "9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0");
    m->payload = (const uint8_t *)FIX_PAYLOAD;
    m->payload_len = strlen(FIX_PAYLOAD);
    qiao_keccak256(m->payload_hash, m->payload, m->payload_len);
}
