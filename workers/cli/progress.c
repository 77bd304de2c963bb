/* progress.c — progress bar (pages done/total, pages/s, ETA) or log lines. */
#include "workers/cli/progress.h"

#include <time.h>
#include <unistd.h>

void sohoa_progress_init(struct sohoa_progress *p, FILE *out)
{
    p->out = out;
    p->tty = isatty(fileno(out));
    p->start_ms = sohoa_now_ms();
    p->last_ms = 0;
    p->last_done = -1;
}

static void fmt_eta(char *buf, size_t n, double secs)
{
    /* at most "99:00:00", into the caller's char[16]: fits */
    if (secs < 0 || secs > 99 * 3600) {
        (void)snprintf(buf, n, "--:--");
        return;
    }
    int s = (int)(secs + 0.5);
    if (s >= 3600)
        (void)snprintf(buf, n, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    else
        (void)snprintf(buf, n, "%02d:%02d", s / 60, s % 60);
}

void sohoa_progress_update(struct sohoa_progress *p, long done, long total, long failed, bool final)
{
    double now = sohoa_now_ms();
    double elapsed = (now - p->start_ms) / 1000.0;
    double rate = elapsed > 0 ? (double)done / elapsed : 0;
    double eta = rate > 0 ? (double)(total - done) / rate : -1;
    char eta_s[16];
    fmt_eta(eta_s, sizeof eta_s, eta);
    if (p->tty) {
        if (!final && now - p->last_ms < 100)
            return;
        enum { WIDTH = 30 };
        int fill = total > 0 ? (int)(WIDTH * done / total) : 0;
        char bar[WIDTH + 1];
        for (int i = 0; i < WIDTH; i++)
            bar[i] = i < fill ? '#' : '.';
        bar[WIDTH] = '\0';
        fprintf(p->out, "\r[%s] %ld/%ld pages  %.2f pages/s  ETA %s", bar, done, total, rate,
                eta_s);
        if (failed)
            fprintf(p->out, "  %ld failed", failed);
        fprintf(p->out, "\033[K%s", final ? "\n" : "");
        (void)fflush(p->out); /* progress shown on stderr: nowhere to report a failed write */
    } else {
        bool step = total > 0 && (done * 10 / total) != (p->last_done * 10 / (total ? total : 1));
        if (!final && !(step && done != p->last_done) && now - p->last_ms < 10000)
            return;
        fprintf(p->out, "progress: %ld/%ld pages, %ld failed, %.2f pages/s, elapsed %.1f s%s\n",
                done, total, failed, rate, elapsed, final ? " (done)" : "");
        (void)fflush(p->out); /* as above */
    }
    p->last_ms = now;
    p->last_done = done;
}
