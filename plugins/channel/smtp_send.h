/*
 * smtp_send.h - building one message and sending it with libcurl, then
 * classifying the server's answer. Included by smtp.c only (it uses
 * struct smtp_state).
 */
#ifndef SMTP_SEND_H
#define SMTP_SEND_H

#define SMTP_VERB_MAX 12
#define SMTP_TEXT_MAX 400

/* What one transfer saw. */
struct smtp_io {
  const char *data; /* the message */
  size_t len;
  size_t pos;
  char verb[SMTP_VERB_MAX];   /* the last command sent (its verb only) */
  int failed;                 /* a reply >= 400 was seen */
  int code;                   /* the first reply >= 400, else the last */
  char phase[SMTP_VERB_MAX];  /* the command that reply answered */
  char text[SMTP_TEXT_MAX];   /* that reply's text, after the code */
};

/* ---- the message ------------------------------------------------------- */

static void smtp_set(crm_send_result *r, int outcome, const char *fmt, ...)
    CRM__PRINTF(3, 4);

static void smtp_set(crm_send_result *r, int outcome, const char *fmt, ...)
{
  va_list ap;

  r->outcome = outcome;
  va_start(ap, fmt);
  vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
  va_end(ap);
}

/* RFC 5322 date in UTC: "Tue, 14 Nov 2023 22:13:20 +0000". */
static void smtp_date(int64_t t, char *out, size_t size)
{
  static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu",
                                     "Fri", "Sat"};
  static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May",
                                       "Jun", "Jul", "Aug", "Sep", "Oct",
                                       "Nov", "Dec"};
  time_t tt = (time_t)t;
  struct tm tm;

  if(!gmtime_r(&tt, &tm)) {
    tt = 0;
    gmtime_r(&tt, &tm);
  }
  snprintf(out, size, "%s, %02d %s %04d %02d:%02d:%02d +0000",
           days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
           tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* A 1.4 member of the message view, or NULL from an older host. */
#define SMTP_MSG_STR(m, member)                                           \
  (CRM_HAS_MEMBER(m, crm_message_view, member) ? (m)->member : NULL)

/* Refuses values that would break the header block; 0 when all fit. */
static int smtp_check_msg(const crm_message_view *m, crm_send_result *r)
{
  const char *names[] = {"subject", "customer name", "template", "language"};
  const char *vals[4];
  const char *url = SMTP_MSG_STR(m, unsubscribe_url);
  const char *bad;
  size_t i;

  if(!m->address || !*m->address) {
    smtp_set(r, CRM_SEND_REJECTED, "no e-mail address");
    return 1;
  }
  if(smtp_has_crlf(m->address)) {
    smtp_set(r, CRM_SEND_REJECTED, "address contains CR or LF (header "
             "injection refused)");
    return 1;
  }
  if(!smtp_is_ascii(m->address)) {
    smtp_set(r, CRM_SEND_REJECTED, "address \"%.200s\" is not ASCII "
             "(SMTPUTF8 is not supported)", m->address);
    return 1;
  }
  if(!smtp_addr_ok(m->address)) {
    smtp_set(r, CRM_SEND_PERMANENT, "address \"%.200s\" is not a valid "
             "e-mail address", m->address);
    return 1;
  }
  vals[0] = m->subject;
  vals[1] = SMTP_MSG_STR(m, customer_name);
  vals[2] = SMTP_MSG_STR(m, template);
  vals[3] = SMTP_MSG_STR(m, language);
  for(i = 0; i < 4; i++) {
    bad = vals[i] ? smtp_header_value_bad(vals[i]) : NULL;
    if(bad) {
      smtp_set(r, CRM_SEND_REJECTED, "%s %s", names[i], bad);
      return 1;
    }
  }
  if(m->body && !smtp_utf8_ok(m->body)) {
    smtp_set(r, CRM_SEND_REJECTED, "body is not valid UTF-8");
    return 1;
  }
  if(url && *url && (strlen(url) > SMTP_URL_MAX || !smtp_is_ascii(url) ||
                     strpbrk(url, " \t\r\n<>\"") || !strchr(url, ':'))) {
    smtp_set(r, CRM_SEND_REJECTED, "unsubscribe url is not usable in "
             "List-Unsubscribe (CR, LF, space, <, >, non-ASCII or over %d "
             "bytes)", SMTP_URL_MAX);
    return 1;
  }
  return 0;
}

/* "<key@domain-of-from>" into out; 0, or 1 with r filled. */
static int smtp_message_id(const struct smtp_state *st,
                           const crm_message_view *m, char *out,
                           size_t size, crm_send_result *r)
{
  const char *key = SMTP_MSG_STR(m, idempotency_key);
  const char *domain;
  char fallback[48];
  size_t kl, dl;

  if(!key || !*key) {
    snprintf(fallback, sizeof(fallback), "crm-msg-%" PRId64, m->message_id);
    key = fallback;
  }
  if(!smtp_dot_atom_ok(key, strlen(key)) || strlen(key) > 128) {
    smtp_set(r, CRM_SEND_REJECTED, "idempotency key \"%.128s\" cannot be a "
             "Message-ID (letters, digits, -._ etc., up to 128 bytes)", key);
    return 1;
  }
  domain = strrchr(st->from, '@') + 1;
  if(strlen(key) + strlen(domain) + 3 >= size) {
    smtp_set(r, CRM_SEND_REJECTED, "Message-ID <%.128s@%.64s> would be "
             "longer than %zu bytes", key, domain, size - 1);
    return 1;
  }
  /* the length was checked above: "<" key "@" domain ">" NUL fits */
  kl = strlen(key);
  dl = strlen(domain);
  out[0] = '<';
  memcpy(out + 1, key, kl);
  out[1 + kl] = '@';
  memcpy(out + 2 + kl, domain, dl);
  out[2 + kl + dl] = '>';
  out[3 + kl + dl] = '\0';
  return 0;
}

static void smtp_hdr_line(struct smtp_buf *b, const char *name,
                          const char *value)
{
  smtp_puts(b, name);
  smtp_puts(b, ": ");
  smtp_puts(b, value);
  smtp_puts(b, "\r\n");
}

static int smtp_lang_ok(const char *s)
{
  size_t i;

  for(i = 0; s[i]; i++)
    if(!isalnum((unsigned char)s[i]) && s[i] != '-')
      return 0;
  return i > 0 && i <= 35;
}

static void smtp_hdr_unsubscribe(const struct smtp_state *st,
                                 struct smtp_buf *b, const char *url)
{
  struct smtp_hdr h;
  char atom[SMTP_URL_MAX + 48];

  if(!(url && *url) && !st->unsub_mailto)
    return;
  smtp_hdr_start(&h, b, "List-Unsubscribe");
  if(url && *url) {
    snprintf(atom, sizeof(atom), "<%s>%s", url, st->unsub_mailto ? "," : "");
    smtp_hdr_atom(&h, atom, strlen(atom));
  }
  if(st->unsub_mailto) {
    snprintf(atom, sizeof(atom), "<mailto:%s?subject=unsubscribe>",
             st->unsub_mailto);
    smtp_hdr_atom(&h, atom, strlen(atom));
  }
  smtp_hdr_end(&h);
  /* RFC 8058: one-click only for an HTTPS URI */
  if(url && !strncmp(url, "https://", 8))
    smtp_hdr_line(b, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
}

/* The whole message into b. 0: built; 1: refused (r filled). */
static int smtp_build(const struct smtp_state *st, crm_host_ctx *ctx,
                      const crm_message_view *m, struct smtp_buf *b,
                      char *msgid, size_t msgid_size, crm_send_result *r)
{
  const crm_host_api *api = st->api;
  const char *tpl = SMTP_MSG_STR(m, template);
  const char *lang = SMTP_MSG_STR(m, language);
  char date[48];
  int64_t now;

  if(smtp_check_msg(m, r) || smtp_message_id(st, m, msgid, msgid_size, r))
    return 1;
  if(CRM_HAS_MEMBER(api, crm_host_api, now) && api->now)
    now = api->now(ctx);
  else
    now = (int64_t)time(NULL);
  smtp_date(now, date, sizeof(date));
  smtp_hdr_line(b, "Date", date);
  smtp_hdr_mailbox(b, "From", st->from_name, st->from);
  if(st->reply_to)
    smtp_hdr_mailbox(b, "Reply-To", NULL, st->reply_to);
  smtp_hdr_mailbox(b, "To", SMTP_MSG_STR(m, customer_name), m->address);
  if(m->subject && *m->subject)
    smtp_hdr_unstructured(b, "Subject", m->subject);
  smtp_hdr_line(b, "Message-ID", msgid);
  smtp_hdr_line(b, "MIME-Version", "1.0");
  smtp_hdr_line(b, "Content-Type", "text/plain; charset=utf-8");
  smtp_hdr_line(b, "Content-Transfer-Encoding", "quoted-printable");
  if(lang && smtp_lang_ok(lang))
    smtp_hdr_line(b, "Content-Language", lang);
  smtp_hdr_unsubscribe(st, b, SMTP_MSG_STR(m, unsubscribe_url));
  if(tpl && *tpl)
    smtp_hdr_unstructured(b, "X-Crm-Template", tpl);
  smtp_puts(b, "\r\n");
  smtp_qp_body(b, m->body ? m->body : "");
  return 0;
}

/* ---- the transfer ------------------------------------------------------ */

static size_t smtp_read_cb(char *buf, size_t size, size_t nitems, void *ud)
{
  struct smtp_io *io = ud;
  size_t room = size * nitems;
  size_t n = io->len - io->pos;

  if(n > room)
    n = room;
  memcpy(buf, io->data + io->pos, n);
  io->pos += n;
  return n;
}

/* Keeps the verb of a command line, and only a known verb: the lines
 * of an AUTH exchange (credentials) are never copied. */
static void smtp_note_cmd(struct smtp_io *io, const char *d, size_t n)
{
  static const char *const verbs[] = {"EHLO", "HELO", "STARTTLS", "AUTH",
                                      "MAIL", "RCPT", "DATA", "QUIT",
                                      "RSET", "NOOP", "VRFY", NULL};
  size_t i, k;

  for(k = 0; verbs[k]; k++) {
    size_t vl = strlen(verbs[k]);

    if(n < vl || (n > vl && d[vl] != ' ' && d[vl] != '\r'))
      continue;
    for(i = 0; i < vl; i++)
      if(toupper((unsigned char)d[i]) != verbs[k][i])
        break;
    if(i == vl) {
      snprintf(io->verb, sizeof(io->verb), "%s", verbs[k]);
      return;
    }
  }
}

static void smtp_note_reply(struct smtp_io *io, const char *d, size_t n)
{
  int code;
  size_t len;

  if(n < 3 || !isdigit((unsigned char)d[0]) ||
     !isdigit((unsigned char)d[1]) || !isdigit((unsigned char)d[2]))
    return;
  if(io->failed || !strcmp(io->verb, "QUIT"))
    return; /* the first failure is the one that counts */
  code = (d[0] - '0') * 100 + (d[1] - '0') * 10 + (d[2] - '0');
  d += 3;
  n -= 3;
  if(n && (*d == ' ' || *d == '-')) {
    d++;
    n--;
  }
  len = 0;
  while(len < n && d[len] != '\r' && d[len] != '\n')
    len++;
  if(len >= sizeof(io->text))
    len = sizeof(io->text) - 1;
  memcpy(io->text, d, len);
  io->text[len] = '\0';
  io->code = code;
  io->failed = code >= 400;
  snprintf(io->phase, sizeof(io->phase), "%s",
           io->verb[0] ? io->verb : "CONNECT");
}

static int smtp_debug_cb(CURL *h, curl_infotype type, char *data,
                         size_t size, void *ud)
{
  (void)h;
  if(type == CURLINFO_HEADER_OUT)
    smtp_note_cmd(ud, data, size);
  else if(type == CURLINFO_HEADER_IN)
    smtp_note_reply(ud, data, size);
  return 0;
}

/* A reply whose words say "slow down" (or "no more today") rather than
 * "not now" or "never": 4xx rate limits, and 5xx sending quotas such as
 * "550 5.4.5 daily sending quota exceeded", which are not the
 * recipient's fault. */
static int smtp_rate_text(const char *text)
{
  static const char *const words[] = {"rate limit", "rate-limit",
                                      "ratelimit", "rate exceeded",
                                      "sending rate", "too many messages",
                                      "too many connections", "throttl",
                                      "slow down", "sending quota",
                                      "sending limit", NULL};
  char low[SMTP_TEXT_MAX];
  size_t i;

  for(i = 0; text[i] && i + 1 < sizeof(low); i++)
    low[i] = (char)tolower((unsigned char)text[i]);
  low[i] = '\0';
  for(i = 0; words[i]; i++)
    if(strstr(low, words[i]))
      return 1;
  return 0;
}

/* The outcome of a reply >= 400 (see docs/channels/smtp.md). */
static int smtp_reply_outcome(int code, const char *phase, const char *text)
{
  if(smtp_rate_text(text))
    return CRM_SEND_RATE_LIMITED;
  if(code < 500)
    return CRM_SEND_TEMPORARY;
  if(!strcmp(phase, "RCPT"))
    return strstr(text, "5.7.") ? CRM_SEND_REJECTED : CRM_SEND_PERMANENT;
  if(!strcmp(phase, "DATA"))
    return CRM_SEND_REJECTED;
  if(!strcmp(phase, "MAIL") && (code == 552 || code == 555))
    return CRM_SEND_REJECTED; /* SIZE= over the limit, bad parameters */
  /* greeting, EHLO, STARTTLS, AUTH, MAIL FROM: our side or the server's,
   * not the message's: try again (after the admin's fix) */
  return CRM_SEND_TEMPORARY;
}

static void smtp_classify(CURLcode cc, const struct smtp_io *io,
                          long curl_code, const char *errbuf,
                          crm_send_result *r)
{
  int code = io->failed ? io->code : 0;
  char phase[SMTP_VERB_MAX];
  size_t i;

  if(cc == CURLE_OK) {
    r->outcome = CRM_SEND_SENT;
    r->provider_status = io->code ? io->code : (int)curl_code;
    snprintf(r->detail, sizeof(r->detail), "smtp %d: %s", r->provider_status,
             io->text);
    return;
  }
  if(!code && curl_code >= 400 && curl_code <= 599)
    code = (int)curl_code;
  if(!code) {
    smtp_set(r, CRM_SEND_TEMPORARY, "smtp: %s%s%s", curl_easy_strerror(cc),
             errbuf[0] ? ": " : "", errbuf);
    return;
  }
  snprintf(phase, sizeof(phase), "%s", io->failed ? io->phase : "");
  r->provider_status = code;
  r->outcome = smtp_reply_outcome(code, phase, io->failed ? io->text : "");
  for(i = 0; phase[i]; i++)
    phase[i] = (char)tolower((unsigned char)phase[i]);
  snprintf(r->detail, sizeof(r->detail), "smtp %d: %s (after %s)", code,
           io->failed ? io->text : errbuf, phase[0] ? phase : "connect");
}

static CURL *smtp_easy(const struct smtp_state *st, struct smtp_io *io,
                       struct curl_slist *rcpt, char *errbuf)
{
  CURL *h = curl_easy_init();
  char from[300];

  if(!h)
    return NULL;
  snprintf(from, sizeof(from), "<%s>", st->from);
  curl_easy_setopt(h, CURLOPT_URL, st->url);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#endif
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_USE_SSL,
                   st->implicit_tls ? (long)CURLUSESSL_ALL
                   : st->starttls == SMTP_TLS_REQUIRED ? (long)CURLUSESSL_ALL
                   : st->starttls == SMTP_TLS_TRY ? (long)CURLUSESSL_TRY
                                                  : (long)CURLUSESSL_NONE);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, st->verify_peer ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, st->verify_peer ? 2L : 0L);
  if(st->ca_file)
    curl_easy_setopt(h, CURLOPT_CAINFO, st->ca_file);
  if(st->username)
    curl_easy_setopt(h, CURLOPT_USERNAME, st->username);
  if(st->password)
    curl_easy_setopt(h, CURLOPT_PASSWORD, st->password);
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, from); /* libcurl copies it */
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, smtp_read_cb);
  curl_easy_setopt(h, CURLOPT_READDATA, io);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)io->len);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)st->timeout_ms);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)st->connect_timeout_ms);
  curl_easy_setopt(h, CURLOPT_VERBOSE, 1L); /* to the callback only */
  curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, smtp_debug_cb);
  curl_easy_setopt(h, CURLOPT_DEBUGDATA, io);
  return h;
}

/* Sends the built message to address; fills r. */
static int smtp_transfer(const struct smtp_state *st, crm_host_ctx *ctx,
                         const char *address, const struct smtp_buf *b,
                         crm_send_result *r)
{
  struct curl_slist *rcpt;
  struct smtp_io io;
  char errbuf[CURL_ERROR_SIZE];
  char to[300];
  long curl_code = 0;
  CURL *h;
  CURLcode cc;

  memset(&io, 0, sizeof(io));
  io.data = b->data;
  io.len = b->len;
  errbuf[0] = '\0';
  snprintf(to, sizeof(to), "<%s>", address);
  rcpt = curl_slist_append(NULL, to);
  h = rcpt ? smtp_easy(st, &io, rcpt, errbuf) : NULL;
  if(!h) {
    curl_slist_free_all(rcpt);
    return st->api->set_error(ctx, CRM_ENOMEM, "out of memory (libcurl)");
  }
  cc = curl_easy_perform(h);
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &curl_code);
  smtp_classify(cc, &io, curl_code, errbuf, r);
  curl_easy_cleanup(h);
  curl_slist_free_all(rcpt);
  return CRM_OK;
}

/* ---- the vtable -------------------------------------------------------- */

static int smtp_deliver(void *state, crm_host_ctx *ctx,
                        const crm_message_view *msg, crm_send_result *out)
{
  struct smtp_state *st = state;
  struct smtp_buf b;
  crm_send_result r;
  char msgid[CRM_SEND_REF_MAX + 1];
  uint32_t size;
  int rc = CRM_OK;

  memset(&r, 0, sizeof(r));
  memset(&b, 0, sizeof(b));
  b.api = st->api;
  b.ctx = ctx;
  if(smtp_build(st, ctx, msg, &b, msgid, sizeof(msgid), &r) == 0) {
    if(b.oom)
      rc = st->api->set_error(ctx, CRM_ENOMEM, "out of memory");
    else
      rc = smtp_transfer(st, ctx, msg->address, &b, &r);
    if(!rc && r.outcome == CRM_SEND_SENT)
      snprintf(r.provider_ref, sizeof(r.provider_ref), "%s", msgid);
  }
  st->api->free(ctx, b.data);
  if(rc)
    return rc;
  /* the host's struct may be shorter (it grows at the end only) */
  size = out->struct_size;
  r.struct_size = size;
  memcpy(out, &r, size < sizeof(r) ? size : sizeof(r));
  return CRM_OK;
}

/* The 1.0 entry point: 0 when sent, else the detail as the error. */
static int smtp_send(void *state, crm_host_ctx *ctx,
                     const crm_message_view *msg, char *provider_ref,
                     size_t provider_ref_size)
{
  struct smtp_state *st = state;
  crm_send_result r;
  int rc;

  memset(&r, 0, sizeof(r));
  r.struct_size = sizeof(r);
  rc = smtp_deliver(state, ctx, msg, &r);
  if(rc)
    return rc;
  if(r.outcome != CRM_SEND_SENT)
    return st->api->set_error(ctx, CRM_ERROR, "%s", r.detail);
  if(provider_ref && provider_ref_size)
    snprintf(provider_ref, provider_ref_size, "%s", r.provider_ref);
  return CRM_OK;
}

#endif /* SMTP_SEND_H */
