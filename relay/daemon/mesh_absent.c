/*
 * mesh_absent.c: linked only while this tree has no mesh transport library (qiao_mesh), so that
 * `qiao run` still builds and runs a committee of one.  Any attempt to start a mesh is refused
 * with "mesh-unavailable".  CMake drops this file as soon as the qiao_mesh target exists.
 */
#include "relay/mesh/mesh.h"

qiao_err qiao_mesh_create(struct qiao_mesh **out, struct lws_context *lws, struct qiao_crypto *cx,
                          const struct qiao_mesh_opts *o, const struct qiao_mesh_events *ev,
                          struct qiao_diag *d)
{
    (void)lws, (void)cx, (void)o, (void)ev;
    *out = 0;
    return QIAO_FAIL(d, QIAO_EUNSUPPORTED, "mesh-unavailable",
                     "this build has no mesh transport: peers cannot be reached");
}

void qiao_mesh_destroy(struct qiao_mesh *m)
{
    (void)m;
}

int qiao_mesh_listen_port(const struct qiao_mesh *m)
{
    (void)m;
    return 0;
}

int qiao_mesh_send_att(struct qiao_mesh *m, const uint8_t *peer, const uint8_t id[32],
                       uint64_t epoch, const uint8_t sig[65])
{
    (void)m, (void)peer, (void)id, (void)epoch, (void)sig;
    return 0;
}

int qiao_mesh_send_want(struct qiao_mesh *m, const uint8_t *peer, const uint8_t (*ids)[32],
                        size_t n)
{
    (void)m, (void)peer, (void)ids, (void)n;
    return 0;
}

size_t qiao_mesh_peers_up(const struct qiao_mesh *m)
{
    (void)m;
    return 0;
}

int qiao_mesh_peer_is_up(const struct qiao_mesh *m, const uint8_t peer[20])
{
    (void)m, (void)peer;
    return 0;
}
