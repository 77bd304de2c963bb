/* progress.h — the ingest progress line: a bar on a terminal, plain log lines otherwise.
 * Threads: call from one (the main) thread. */
#ifndef SOHOA_PROGRESS_H
#define SOHOA_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

#include "pipeline/base/deadline.h" /* sohoa_now_ms */

struct sohoa_progress {
    FILE *out;
    bool tty;
    double start_ms;
    double last_ms;
    long last_done;
};

void sohoa_progress_init(struct sohoa_progress *p, FILE *out);
/* Redraws (terminal, at most 10 times a second) or logs (otherwise, every 10 s or on change of
 * 10 % and at the end). */
void sohoa_progress_update(struct sohoa_progress *p, long done, long total, long failed,
                           bool final);

#endif
