/*
 * convcheck_client.h: a C kernel as a convcheck subprocess-protocol program
 * (docs/protocol.md), in one header. It reads one JSON request per stdin line,
 * decodes the base64 arrays, calls your function, and writes one JSON answer
 * per stdout line. You write only the convolution:
 *
 *     #include "convcheck_client.h"
 *
 *     static int conv(const cc_problem *p, const float *x, const float *w,
 *                     const float *b, float *y) {
 *       ... // y has p->output_length elements, row-major [batch, out_channels, ...output_size]
 *       return CC_OK; // or cc_unsupported("..."), or cc_error("...")
 *     }
 *
 *     int main(void) { return cc_serve(conv); }
 *
 * then: cc -O2 -o my_kernel my_kernel.c && npx convcheck check --impl-cmd ./my_kernel
 *
 * Shapes: x is [batch, in_channels, ...input_size], w is [out_channels,
 * in_channels / groups, ...kernel_size], b is [out_channels] or NULL when
 * p->bias is 0. Spatial arrays have p->rank (1 to 3) entries, [W], [H, W] or
 * [D, H, W]. Requests of dtype float64 are answered `unsupported` (this header
 * computes float32; run with the default --dtype float32).
 *
 * Nothing here allocates per element or keeps state between requests except
 * the line buffer; everything is `static`, so include it in one file.
 */
#ifndef CONVCHECK_CLIENT_H
#define CONVCHECK_CLIENT_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Return values of your conv function. */
#define CC_OK 0
#define CC_UNSUPPORTED 1
#define CC_ERROR 2

/* One convolution problem (the protocol's `problem`, with sizes derived). */
typedef struct {
  int cross_correlation; /* 1: cross-correlation; 0: true convolution (kernel flipped) */
  int rank;              /* spatial dimensions, 1 to 3 */
  int batch, in_channels, out_channels, groups;
  int input_size[3], kernel_size[3], stride[3], dilation[3], pad_begin[3], pad_end[3];
  int bias;              /* 1 when b is given */
  int output_size[3];    /* floor((I + Pb + Pe - D*(K-1) - 1) / S) + 1 per dimension */
  long input_length, weight_length, output_length; /* elements */
  /* The protocol's paddingMode ("reflect", "replicate", "circular"), "" for zeros: the
     header answers such a request `unsupported` itself (this header pads with zeros). */
  char padding_mode[16];
} cc_problem;

typedef int (*cc_conv_fn)(const cc_problem *p, const float *x, const float *w, const float *b,
                          float *y);

#if defined(__GNUC__) || defined(__clang__)
#define CC__HELPER static __attribute__((unused))
#else
#define CC__HELPER static
#endif

static char cc__message[512];

/* Sets the reason or message of a nonzero return (printf-style); returns `code`. */
static int cc__say(int code, const char *format, va_list args) {
  vsnprintf(cc__message, sizeof cc__message, format, args);
  return code;
}
/* `return cc_unsupported("only 2-D, got rank %d", p->rank);` declines the problem (a skip). */
CC__HELPER int cc_unsupported(const char *format, ...) {
  va_list args;
  int code;
  va_start(args, format);
  code = cc__say(CC_UNSUPPORTED, format, args);
  va_end(args);
  return code;
}
/* `return cc_error("...");` reports a failure of this case; the program goes on. */
CC__HELPER int cc_error(const char *format, ...) {
  va_list args;
  int code;
  va_start(args, format);
  code = cc__say(CC_ERROR, format, args);
  va_end(args);
  return code;
}

/* ---- base64 (RFC 4648, standard alphabet, padded) ---- */

static const char cc__b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int cc__b64value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

/* Decodes `len` characters into out (room for len/4*3 bytes); returns the byte count or -1. */
static long cc__b64decode(const char *s, long len, unsigned char *out) {
  long i, n = 0;
  if (len % 4 != 0) return -1;
  for (i = 0; i < len; i += 4) {
    int a = cc__b64value(s[i]), b = cc__b64value(s[i + 1]);
    int c = s[i + 2] == '=' ? 0 : cc__b64value(s[i + 2]);
    int d = s[i + 3] == '=' ? 0 : cc__b64value(s[i + 3]);
    if (a < 0 || b < 0 || c < 0 || d < 0) return -1;
    out[n++] = (unsigned char)(a << 2 | b >> 4);
    if (s[i + 2] != '=') out[n++] = (unsigned char)((b & 15) << 4 | c >> 2);
    if (s[i + 3] != '=') out[n++] = (unsigned char)((c & 3) << 6 | d);
  }
  return n;
}

static void cc__b64write(const unsigned char *data, long n, FILE *out) {
  long i;
  for (i = 0; i < n; i += 3) {
    unsigned v = (unsigned)data[i] << 16 | (i + 1 < n ? (unsigned)data[i + 1] << 8 : 0) |
                 (i + 2 < n ? data[i + 2] : 0);
    putc(cc__b64[v >> 18 & 63], out);
    putc(cc__b64[v >> 12 & 63], out);
    putc(i + 1 < n ? cc__b64[v >> 6 & 63] : '=', out);
    putc(i + 2 < n ? cc__b64[v & 63] : '=', out);
  }
}

/* float32 little-endian bytes <-> floats, whatever the host's byte order. */
static void cc__floats_from_le(const unsigned char *bytes, long count, float *out) {
  long i;
  for (i = 0; i < count; i++) {
    const unsigned char *q = bytes + 4 * i;
    unsigned long u = (unsigned long)q[0] | (unsigned long)q[1] << 8 | (unsigned long)q[2] << 16 |
                      (unsigned long)q[3] << 24;
    unsigned int u32 = (unsigned int)u;
    memcpy(&out[i], &u32, 4);
  }
}

static void cc__floats_to_le(const float *values, long count, unsigned char *out) {
  long i;
  for (i = 0; i < count; i++) {
    unsigned int u;
    memcpy(&u, &values[i], 4);
    out[4 * i] = (unsigned char)(u & 255);
    out[4 * i + 1] = (unsigned char)(u >> 8 & 255);
    out[4 * i + 2] = (unsigned char)(u >> 16 & 255);
    out[4 * i + 3] = (unsigned char)(u >> 24 & 255);
  }
}

/* ---- the minimal JSON the requests need: objects, strings, integers, int arrays, null ---- */

typedef struct {
  const char *s; /* current position */
  int failed;
} cc__json;

static void cc__ws(cc__json *j) {
  while (*j->s == ' ' || *j->s == '\t' || *j->s == '\r' || *j->s == '\n') j->s++;
}

static int cc__eat(cc__json *j, char c) {
  cc__ws(j);
  if (*j->s != c) return j->failed = 1, 0;
  j->s++;
  return 1;
}

/* A string's raw characters (escapes are left as they are; none occur in base64 or keys). */
static int cc__string(cc__json *j, const char **start, long *len) {
  if (!cc__eat(j, '"')) return 0;
  *start = j->s;
  while (*j->s && *j->s != '"') j->s += (*j->s == '\\' && j->s[1]) ? 2 : 1;
  if (*j->s != '"') return j->failed = 1, 0;
  *len = (long)(j->s - *start);
  j->s++;
  return 1;
}

static long cc__integer(cc__json *j) {
  char *end;
  long v;
  cc__ws(j);
  v = strtol(j->s, &end, 10);
  if (end == j->s) j->failed = 1;
  j->s = end;
  return v;
}

/* Skips any JSON value (for fields this client does not read). */
static void cc__skip(cc__json *j) {
  const char *start;
  long len;
  cc__ws(j);
  if (*j->s == '"') {
    cc__string(j, &start, &len);
  } else if (*j->s == '{' || *j->s == '[') {
    char close = *j->s == '{' ? '}' : ']';
    j->s++;
    cc__ws(j);
    if (*j->s == close) {
      j->s++;
      return;
    }
    do {
      if (close == '}') {
        cc__string(j, &start, &len);
        cc__eat(j, ':');
      }
      cc__skip(j);
      cc__ws(j);
    } while (!j->failed && *j->s == ',' && j->s++);
    cc__eat(j, close);
  } else {
    while (*j->s && *j->s != ',' && *j->s != '}' && *j->s != ']') j->s++;
  }
}

/* An array of 1 to 3 integers; returns its length. */
static int cc__int_array(cc__json *j, int *out) {
  int n = 0;
  if (!cc__eat(j, '[')) return 0;
  do {
    if (n == 3) return j->failed = 1, 0;
    out[n++] = (int)cc__integer(j);
    cc__ws(j);
  } while (!j->failed && *j->s == ',' && j->s++);
  cc__eat(j, ']');
  return n;
}

static int cc__key_is(const char *key, long len, const char *name) {
  return (long)strlen(name) == len && strncmp(key, name, (size_t)len) == 0;
}

/* Reads `"key": value` pairs of an object, calling field() for each key. */
#define CC__OBJECT(j, key, len, body)                 \
  do {                                                \
    if (!cc__eat(j, '{')) break;                      \
    cc__ws(j);                                        \
    if (*(j)->s == '}') {                             \
      (j)->s++;                                       \
      break;                                          \
    }                                                 \
    do {                                              \
      if (!cc__string(j, &key, &len)) break;          \
      if (!cc__eat(j, ':')) break;                    \
      body;                                           \
      cc__ws(j);                                      \
    } while (!(j)->failed && *(j)->s == ',' && (j)->s++); \
    cc__eat(j, '}');                                  \
  } while (0)

static void cc__problem(cc__json *j, cc_problem *p) {
  const char *key, *text;
  long len, tlen;
  int ranks[6] = {0, 0, 0, 0, 0, 0};
  memset(p, 0, sizeof *p);
  CC__OBJECT(j, key, len, {
    if (cc__key_is(key, len, "mode")) {
      cc__string(j, &text, &tlen);
      p->cross_correlation = cc__key_is(text, tlen, "cross-correlation");
    } else if (cc__key_is(key, len, "batch")) p->batch = (int)cc__integer(j);
    else if (cc__key_is(key, len, "inChannels")) p->in_channels = (int)cc__integer(j);
    else if (cc__key_is(key, len, "outChannels")) p->out_channels = (int)cc__integer(j);
    else if (cc__key_is(key, len, "groups")) p->groups = (int)cc__integer(j);
    else if (cc__key_is(key, len, "inputSize")) ranks[0] = cc__int_array(j, p->input_size);
    else if (cc__key_is(key, len, "kernelSize")) ranks[1] = cc__int_array(j, p->kernel_size);
    else if (cc__key_is(key, len, "stride")) ranks[2] = cc__int_array(j, p->stride);
    else if (cc__key_is(key, len, "dilation")) ranks[3] = cc__int_array(j, p->dilation);
    else if (cc__key_is(key, len, "padBegin")) ranks[4] = cc__int_array(j, p->pad_begin);
    else if (cc__key_is(key, len, "padEnd")) ranks[5] = cc__int_array(j, p->pad_end);
    else if (cc__key_is(key, len, "paddingMode")) {
      cc__string(j, &text, &tlen);
      if (tlen < 1 || tlen >= (long)sizeof p->padding_mode) j->failed = 1;
      else if (!cc__key_is(text, tlen, "zeros")) memcpy(p->padding_mode, text, (size_t)tlen);
    } else if (cc__key_is(key, len, "bias")) {
      cc__ws(j);
      p->bias = strncmp(j->s, "true", 4) == 0;
      cc__skip(j);
    } else cc__skip(j);
  });
  p->rank = ranks[0];
  {
    int i;
    for (i = 1; i < 6; i++)
      if (ranks[i] != p->rank) j->failed = 1;
  }
}

/* Fills the derived sizes; returns 0 when the problem is not one the protocol sends. */
static int cc__derive(cc_problem *p) {
  int i;
  long in_volume = 1, k_volume = 1, out_volume = 1;
  if (p->rank < 1 || p->groups < 1 || p->batch < 1) return 0;
  for (i = 0; i < p->rank; i++) {
    long extent = (long)p->input_size[i] + p->pad_begin[i] + p->pad_end[i] -
                  (long)p->dilation[i] * (p->kernel_size[i] - 1) - 1;
    if (p->stride[i] < 1 || extent < 0) return 0;
    p->output_size[i] = (int)(extent / p->stride[i] + 1);
    in_volume *= p->input_size[i];
    k_volume *= p->kernel_size[i];
    out_volume *= p->output_size[i];
  }
  p->input_length = (long)p->batch * p->in_channels * in_volume;
  p->weight_length = (long)p->out_channels * (p->in_channels / p->groups) * k_volume;
  p->output_length = (long)p->batch * p->out_channels * out_volume;
  return 1;
}

/* ---- answers ---- */

static void cc__answer_text(long id, const char *field, const char *text) {
  const char *c;
  printf("{\"id\":%ld,\"%s\":\"", id, field);
  for (c = text; *c; c++) {
    if (*c == '"' || *c == '\\') printf("\\%c", *c);
    else if ((unsigned char)*c < 32) printf("\\u%04x", (unsigned char)*c);
    else putchar(*c);
  }
  printf("\"}\n");
  fflush(stdout);
}

/* Decodes one base64 array of `count` float32 values; returns NULL (and sets the message) if bad. */
static float *cc__floats(const char *text, long len, long count, const char *name) {
  unsigned char *bytes = (unsigned char *)malloc((size_t)(len / 4 * 3 + 4));
  float *values = (float *)malloc((size_t)(count > 0 ? count : 1) * sizeof(float));
  long n = bytes ? cc__b64decode(text, len, bytes) : -1;
  if (!bytes || !values || n != 4 * count) {
    snprintf(cc__message, sizeof cc__message, "%s: %ld bytes of base64 data, expected %ld (%ld float32 values)",
             name, n, 4 * count, count);
    free(bytes);
    free(values);
    return NULL;
  }
  cc__floats_from_le(bytes, count, values);
  free(bytes);
  return values;
}

/* Answers one request line. */
static void cc__handle(const char *line, cc_conv_fn conv) {
  cc__json j = {0, 0};
  cc_problem p;
  const char *key, *dtype = "", *arrays[3] = {0, 0, 0};
  long len, dtype_len = 0, lens[3] = {0, 0, 0}, id = -1;
  float *x = NULL, *w = NULL, *b = NULL, *y = NULL;
  int have_problem = 0;
  j.s = line;
  memset(&p, 0, sizeof p);
  CC__OBJECT(&j, key, len, {
    if (cc__key_is(key, len, "id")) id = cc__integer(&j);
    else if (cc__key_is(key, len, "problem")) {
      cc__problem(&j, &p);
      have_problem = 1;
    } else if (cc__key_is(key, len, "dtype")) cc__string(&j, &dtype, &dtype_len);
    else if (cc__key_is(key, len, "input")) cc__string(&j, &arrays[0], &lens[0]);
    else if (cc__key_is(key, len, "weight")) cc__string(&j, &arrays[1], &lens[1]);
    else if (cc__key_is(key, len, "bias")) {
      cc__ws(&j);
      if (*j.s == '"') cc__string(&j, &arrays[2], &lens[2]);
      else cc__skip(&j);
    } else cc__skip(&j);
  });
  if (j.failed || id < 0 || !have_problem || !arrays[0] || !arrays[1] || !cc__derive(&p)) {
    cc__answer_text(id, "error", "convcheck_client.h: could not parse the request");
    return;
  }
  if (!cc__key_is(dtype, dtype_len, "float32")) {
    cc__answer_text(id, "unsupported", "this C client computes float32 only");
    return;
  }
  if (p.padding_mode[0]) {
    char why[96];
    snprintf(why, sizeof why, "this C client pads with zeros only (paddingMode '%s')",
             p.padding_mode);
    cc__answer_text(id, "unsupported", why);
    return;
  }
  cc__message[0] = '\0';
  x = cc__floats(arrays[0], lens[0], p.input_length, "input");
  w = x ? cc__floats(arrays[1], lens[1], p.weight_length, "weight") : NULL;
  b = w && p.bias ? cc__floats(arrays[2] ? arrays[2] : "", lens[2], p.out_channels, "bias") : NULL;
  y = (float *)calloc((size_t)(p.output_length > 0 ? p.output_length : 1), sizeof(float));
  if (!x || !w || (p.bias && !b) || !y) {
    cc__answer_text(id, "error", cc__message[0] ? cc__message : "out of memory");
  } else {
    int code = conv(&p, x, w, b, y);
    if (code == CC_OK) {
      unsigned char *bytes = (unsigned char *)malloc((size_t)(4 * p.output_length + 1));
      if (!bytes) {
        cc__answer_text(id, "error", "out of memory");
      } else {
        cc__floats_to_le(y, p.output_length, bytes);
        printf("{\"id\":%ld,\"output\":\"", id);
        cc__b64write(bytes, 4 * p.output_length, stdout);
        printf("\"}\n");
        fflush(stdout);
        free(bytes);
      }
    } else {
      const char *why = cc__message[0] ? cc__message : "conv returned nonzero without a message";
      cc__answer_text(id, code == CC_UNSUPPORTED ? "unsupported" : "error", why);
    }
  }
  free(x);
  free(w);
  free(b);
  free(y);
}

/* Reads one whole line of any length into *buffer (grown as needed); returns 0 at end of input. */
static int cc__read_line(char **buffer, size_t *capacity) {
  size_t used = 0;
  if (*capacity == 0) {
    *capacity = 1 << 16;
    *buffer = (char *)malloc(*capacity);
    if (!*buffer) return 0;
  }
  for (;;) {
    if (!fgets(*buffer + used, (int)(*capacity - used > 1 << 30 ? 1 << 30 : *capacity - used), stdin))
      return used > 0;
    used += strlen(*buffer + used);
    if (used > 0 && (*buffer)[used - 1] == '\n') return 1;
    if (used + 1 >= *capacity) {
      char *grown = (char *)realloc(*buffer, *capacity * 2);
      if (!grown) return 0;
      *buffer = grown;
      *capacity *= 2;
    }
  }
}

/*
 * Serves requests until stdin ends: call it from main, `return cc_serve(conv);`.
 * Logs belong on stderr; stdout carries answers only.
 */
static int cc_serve(cc_conv_fn conv) {
  char *line = NULL;
  size_t capacity = 0;
  while (cc__read_line(&line, &capacity)) {
    const char *c = line;
    while (*c == ' ' || *c == '\t' || *c == '\r' || *c == '\n') c++;
    if (*c) cc__handle(line, conv);
  }
  free(line);
  return 0;
}

#endif /* CONVCHECK_CLIENT_H */
