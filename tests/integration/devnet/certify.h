/*
 * certify.h: test_devnet's delivery checks with the committee emulated in-process (certify.c says
 * why and what stays real).
 */
#ifndef QIAO_TEST_DEVNET_CERTIFY_H
#define QIAO_TEST_DEVNET_CERTIFY_H

#include "relay/config/config.h"
#include "tests/support/devnet.h"

/**
 * Certify message s (sent with payload, a C string) with the first k notaries' key files and
 * check, on the destination Inbox: k-1 signatures are refused (BelowThreshold), k are delivered
 * and `wait-delivered` reports the block, tx, k ascending member signers and the
 * EvidenceRegistry's SHA-256 of the payload; a replay is refused (AlreadyConsumed).
 * cfg is any notary's parsed configuration (for the committee).
 */
void devnet_test_certified_delivery(struct qiao_devnet *net, const struct qiao_config *cfg,
                                    const struct qiao_devnet_sent *s, const char *payload);

#endif
