/*
 * test_queue.c: the worker/service hand-off keeps FIFO order across threads and a waiting
 * consumer wakes on push or on stop.
 */
#include <pthread.h>

#include "relay/daemon/dmn_queue.h"
#include "tests/qt.h"

static struct qiao_dmn_queue q;

static void *producer(void *arg)
{
    (void)arg;
    for (uint64_t i = 0; i < 1000; i++)
        qiao_dmn_queue_push(&q, qiao_dmn_item_new(QIAO_DMN_EV_HEAD, i));
    return NULL;
}

int main(void)
{
    pthread_t th;
    volatile int stop = 0;
    qiao_dmn_queue_init(&q);
    QT_CHECK(qiao_dmn_queue_take(&q) == NULL);
    QT_CHECK(pthread_create(&th, NULL, producer, NULL) == 0);
    uint64_t next = 0;
    int in_order = 1;
    while (next < 1000) {
        struct qiao_dmn_item *it = qiao_dmn_queue_wait(&q, 1000, &stop);
        for (struct qiao_dmn_item *x = it; x; x = x->next)
            in_order &= x->chain == next++;
        qiao_dmn_item_free_list(it);
    }
    pthread_join(th, NULL);
    QT_CHECK(in_order);
    QT_CHECK(qiao_dmn_queue_len(&q) == 0);
    stop = 1;
    QT_CHECK(qiao_dmn_queue_wait(&q, 5000, &stop) == NULL); /* returns at once when stopped */
    qiao_dmn_queue_push(&q, qiao_dmn_item_new(QIAO_DMN_JOB_WATCH, 1));
    qiao_dmn_queue_clear(&q); /* frees what is left */
    return qt_finish();
}
