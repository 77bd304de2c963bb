/* webhook.c — one signed webhook delivery attempt through libcurl (the only file that includes
 * it): headers, signature, time-outs, and the status → outcome mapping of webhook.h.
 */
#include "workers/api/webhook.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "workers/runtime/version.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void sohoa_webhook_sign(const char *secret, long long timestamp, const char *body, size_t len,
                        char hex[SOHOA_SHA256_HEX])
{
    char ts[32];
    int n = snprintf(ts, sizeof ts, "%lld.", timestamp);
    const void *parts[2] = {ts, body};
    size_t lens[2] = {(size_t)n, len};
    sohoa_hmac_sha256(secret, strlen(secret), parts, lens, 2, hex);
}

static size_t discard(char *ptr, size_t size, size_t nmemb, void *arg)
{
    (void)ptr;
    (void)arg;
    return size * nmemb;
}

static struct curl_slist *add(struct curl_slist *h, const char *name, const char *value, bool *ok)
{
    char line[512];
    /* names are short constants, values at most 127 bytes (a key < SOHOA_WEBHOOK_KEY_MAX): fits */
    (void)snprintf(line, sizeof line, "%s: %s", name, value);
    struct curl_slist *n = curl_slist_append(h, line);
    if (!n) {
        *ok = false;
        return h;
    }
    return n;
}

int sohoa_webhook_post(const struct sohoa_webhook_opts *o, const char *key, const char *body,
                       size_t len, long *http_status, struct sohoa_err *err)
{
    int rc = 0;
    *http_status = 0;
    if (!o->url || !*o->url)
        return sohoa_err_set(err, SOHOA_EINVAL, false, "no webhook-url is configured");
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK) /* runs once per process: a retry finds the same failure */
        return sohoa_err_set(err, SOHOA_EBACKEND, false, "libcurl: %s",
                             curl_easy_strerror(curl_init_rc));
    CURL *c = curl_easy_init();
    struct curl_slist *h = NULL;
    bool ok = c != NULL;
    char ts[32], sig[SOHOA_SHA256_HEX + 4], agent[64];
    long long now = (long long)time(NULL);
    (void)snprintf(ts, sizeof ts, "%lld", now);                     /* <= 20 chars: fits */
    (void)snprintf(agent, sizeof agent, "sohoa/%s", SOHOA_VERSION); /* a short version: fits */
    h = add(h, "Content-Type", "application/json", &ok);
    h = add(h, "Idempotency-Key", key, &ok);
    h = add(h, "X-Sohoa-Timestamp", ts, &ok);
    if (o->secret && *o->secret) {
        char hex[SOHOA_SHA256_HEX];
        sohoa_webhook_sign(o->secret, now, body, len, hex);
        (void)snprintf(sig, sizeof sig, "v1=%s", hex); /* 3 + 64 hex digits: fits */
        h = add(h, "X-Sohoa-Signature", sig, &ok);
    }
    h = add(h, "Expect", "", &ok); /* no 100-continue round trip */
    if (!ok) {
        rc = sohoa_err_set(err, SOHOA_ENOMEM, false, "out of memory");
        goto out;
    }
    long timeout = o->timeout_ms > 0 ? o->timeout_ms : 10000;
    curl_easy_setopt(c, CURLOPT_URL, o->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_USERAGENT, agent);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout < 5000 ? timeout : 5000L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    CURLcode cr = curl_easy_perform(c);
    if (cr != CURLE_OK) {
        /* the network and the receiver may recover; a bad webhook-url and memory do not */
        bool bad_url = cr == CURLE_URL_MALFORMAT || cr == CURLE_UNSUPPORTED_PROTOCOL;
        int code = cr == CURLE_OUT_OF_MEMORY        ? SOHOA_ENOMEM
                   : bad_url                        ? SOHOA_EINVAL
                   : cr == CURLE_OPERATION_TIMEDOUT ? SOHOA_ETIMEOUT
                                                    : SOHOA_EIO;
        rc = sohoa_err_set(err, code, code == SOHOA_EIO || code == SOHOA_ETIMEOUT, "%s%s",
                           curl_easy_strerror(cr), bad_url ? " (check webhook-url)" : "");
        goto out;
    }
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, http_status);
    long s = *http_status;
    if (s >= 200 && s < 300)
        goto out;
    bool retry = s >= 500 || s == 408 || s == 429;
    rc = sohoa_err_set(err, SOHOA_EBACKEND, retry, "the receiver answered HTTP %ld", s);
out:
    curl_slist_free_all(h);
    if (c)
        curl_easy_cleanup(c);
    return rc;
}
