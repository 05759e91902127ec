/* A freestanding program that uses the x87 heavily and prints every result as the bits in hex
 * plus a decimal rendering. The same source runs as a ghost86 guest (output on port E9h) and
 * natively on the host (output on stdout); the two outputs must be identical. Built with
 * -m32 -mfpmath=387 -march=pentiumpro, so all floating point goes through the x87.
 *
 * The environment provides x87_out(char). */

void x87_out(char c);

typedef unsigned int u32;
typedef unsigned long long u64;
typedef unsigned short u16;

static void puts_(const char* s) {
  while (*s) x87_out(*s++);
}

static void hex(u64 v, int digits) {
  for (int i = digits - 1; i >= 0; i--) x87_out("0123456789abcdef"[(v >> (4 * i)) & 15]);
}

static void udec(u64 v) {
  char buf[24];
  int n = 0;
  do {
    u32 lo = (u32)(v % 10u);
    buf[n++] = (char)('0' + lo);
    v /= 10u;
  } while (v);
  while (n) x87_out(buf[--n]);
}

static void sdec(long long v) {
  if (v < 0) {
    x87_out('-');
    udec((u64)(-(v + 1)) + 1);
  } else {
    udec((u64)v);
  }
}

/* Decimal rendering of a long double through the FPU itself: sign, integer part (or a power of
 * ten exponent for large or small values) and nine fraction digits. */
static void ldec(long double x) {
  union {
    long double d;
    struct {
      u64 sig;
      u16 se;
    } p;
  } u;
  u.d = x;
  if ((u.p.se & 0x7fff) == 0x7fff) {
    puts_((u.p.sig << 1) ? "nan" : (u.p.se & 0x8000) ? "-inf" : "inf");
    return;
  }
  if (x < 0 || (x == 0 && (u.p.se & 0x8000))) {
    x87_out('-');
    x = -x;
  }
  int e10 = 0;
  while (x >= 1e15L) {
    x /= 10;
    e10++;
  }
  while (x != 0 && x < 1e-3L && e10 > -5000) {
    x *= 10;
    e10--;
  }
  u64 ip = (u64)x;
  long double frac = x - (long double)ip;
  udec(ip);
  x87_out('.');
  for (int i = 0; i < 9; i++) {
    frac *= 10;
    int d = (int)frac;
    x87_out((char)('0' + d));
    frac -= d;
  }
  if (e10) {
    x87_out('e');
    sdec(e10);
  }
}

static void show_ld(const char* name, long double v) {
  union {
    long double d;
    struct {
      u64 sig;
      u16 se;
    } p;
  } u;
  u.d = v;
  puts_(name);
  puts_(": ");
  hex(u.p.se, 4);
  x87_out(':');
  hex(u.p.sig, 16);
  x87_out(' ');
  ldec(v);
  x87_out('\n');
}

static void show_d(const char* name, double v) {
  union {
    double d;
    u64 b;
  } u;
  u.d = v;
  puts_(name);
  puts_(": ");
  hex(u.b, 16);
  x87_out(' ');
  ldec(v);
  x87_out('\n');
}

static void show_f(const char* name, float v) {
  union {
    float f;
    u32 b;
  } u;
  u.f = v;
  puts_(name);
  puts_(": ");
  hex(u.b, 8);
  x87_out(' ');
  ldec(v);
  x87_out('\n');
}

static void show_i(const char* name, long long v) {
  puts_(name);
  puts_(": ");
  hex((u64)v, 16);
  x87_out(' ');
  sdec(v);
  x87_out('\n');
}

static u16 fnstsw(void) {
  u16 sw;
  __asm__ volatile("fnstsw %0" : "=m"(sw));
  return sw;
}
static void fnclex(void) { __asm__ volatile("fnclex"); }
static void fldcw(u16 cw) { __asm__ volatile("fldcw %0" : : "m"(cw)); }

/* Keeps the compiler from folding constants at build time. */
static long double opaque(long double x) {
  __asm__ volatile("" : "+m"(x));
  return x;
}

static void series(void) {
  long double h = 0;
  double hd = 0;
  float hf = 0;
  for (int i = 1; i <= 2000; i++) {
    h += 1.0L / i;
    hd += 1.0 / i;
    hf += 1.0f / (float)i;
  }
  show_ld("harmonic80", h);
  show_d("harmonic64", hd);
  show_f("harmonic32", hf);
  long double p = 1;
  for (int i = 1; i <= 30; i++) p *= opaque(i) / 7;
  show_ld("product", p);
  long double e = 1, term = 1;
  for (int i = 1; i < 25; i++) {
    term /= i;
    e += term;
  }
  show_ld("e", e);
  long double x = opaque(2);
  for (int i = 0; i < 6; i++) {
    long double r;
    __asm__("fsqrt" : "=t"(r) : "0"(x));
    show_ld("sqrt", r);
    x = x * 3.7L + 0.1L;
  }
  show_d("div", opaque(1) / opaque(3));
  show_ld("big", opaque(1e300L) * opaque(1e300L) * opaque(1e300L));
  show_d("overflow64", (double)(opaque(1e300L) * opaque(1e300L)));
  show_d("underflow64", (double)(opaque(1e-300L) * opaque(1e-30L)));
  show_ld("denormal80", opaque(1e-4940L) / opaque(3));
}

static void conversions(void) {
  const long double v[] = {2.5L, -2.5L, 3.5L, -7.75L, 123456789.987L, -2147483648.5L, 1e10L, 0.49999L,
                           4294967295.7L, -0.0L};
  for (unsigned i = 0; i < sizeof v / sizeof v[0]; i++) {
    long double x = opaque(v[i]);
    show_i("int", (int)x);
    show_i("ll", (long long)x);
    show_i("uint", (long long)(unsigned)(x < 0 ? -x : x));
    show_f("float", (float)x);
    long long r;
    __asm__("fistpll %0" : "=m"(r) : "t"(x) : "st");
    show_i("fistp-nearest", r);
    short s;
    __asm__("fistps %0" : "=m"(s) : "t"(x) : "st");
    show_i("fistp16", s);
  }
  long long big = 0x7fffffffffffffffLL;
  show_ld("fild64", (long double)big);
  show_d("fild64d", (double)big);
  show_ld("u64", (long double)0xfedcba9876543210ULL);
}

static void rounding(void) {
  static const char* const names[] = {"rc-nearest", "rc-down", "rc-up", "rc-zero"};
  for (int rc = 0; rc < 4; rc++) {
    fldcw((u16)(0x037f | rc << 10));
    long double third = opaque(1) / opaque(3);
    double thirdd = (double)(opaque(-1) / opaque(3));
    long double r1, r2;
    __asm__("frndint" : "=t"(r1) : "0"(opaque(2.5L)));
    __asm__("frndint" : "=t"(r2) : "0"(opaque(-3.5L)));
    puts_(names[rc]);
    x87_out('\n');
    show_ld("third", third);
    show_d("thirdd", thirdd);
    show_ld("rnd", r1);
    show_ld("rnd", r2);
  }
  /* Precision control: 24 and 53 bits. */
  fldcw(0x007f);
  show_ld("pc24", opaque(1) / opaque(3));
  fldcw(0x027f);
  show_ld("pc53", opaque(1) / opaque(3));
  fldcw(0x037f);
}

static long double fprem(long double a, long double b, int ieee, u16* sw) {
  long double r;
  if (ieee)
    __asm__("1: fprem1\n fnstsw %%ax\n testb $4, %%ah\n jnz 1b" : "=t"(r), "=a"(*sw) : "0"(a), "u"(b));
  else
    __asm__("1: fprem\n fnstsw %%ax\n testb $4, %%ah\n jnz 1b" : "=t"(r), "=a"(*sw) : "0"(a), "u"(b));
  return r;
}

static void remainders(void) {
  const long double a[] = {10, -10, 1e30L, 7.5L, 1e4000L, 3.14159L};
  const long double b[] = {3, 3, 7, -2, 3.3L, 0.1L};
  for (int i = 0; i < 6; i++) {
    for (int ieee = 0; ieee < 2; ieee++) {
      u16 sw;
      long double r = fprem(opaque(a[i]), opaque(b[i]), ieee, &sw);
      show_ld(ieee ? "fprem1" : "fprem", r);
      show_i("quotient-cc", sw & 0x4700);
    }
  }
}

static void transcendentals(void) {
  const long double xs[] = {0.5L, 1.0L, -2.0L, 3.0L, 100.0L, 1e-10L};
  for (int i = 0; i < 6; i++) {
    long double x = opaque(xs[i]), s, c, t, one;
    __asm__("fsin" : "=t"(s) : "0"(x));
    __asm__("fcos" : "=t"(c) : "0"(x));
    __asm__("fptan" : "=t"(one), "=u"(t) : "0"(x));
    show_ld("sin", s);
    show_ld("cos", c);
    show_ld("tan", t);
    show_ld("one", one);
    __asm__("fsincos" : "=t"(c), "=u"(s) : "0"(x));
    show_ld("sincos-s", s);
    show_ld("sincos-c", c);
    long double at;
    __asm__("fpatan" : "=t"(at) : "0"(x), "u"(opaque(1.5L)) : "st(1)");
    show_ld("atan", at);
    long double l;
    __asm__("fyl2x" : "=t"(l) : "0"(x < 0 ? -x : x), "u"(opaque(2)) : "st(1)");
    show_ld("ylog2x", l);
    long double f = opaque(xs[i] / 128);
    long double p, q;
    __asm__("f2xm1" : "=t"(p) : "0"(f));
    __asm__("fyl2xp1" : "=t"(q) : "0"(f), "u"(opaque(1)) : "st(1)");
    show_ld("f2xm1", p);
    show_ld("yl2xp1", q);
  }
  long double big = opaque(1e30L), r;
  u16 sw;
  __asm__("fsin\n fnstsw %%ax" : "=t"(r), "=a"(sw) : "0"(big));
  show_ld("sin-out-of-range", r);
  show_i("sin-c2", sw & 0x0400);
}

static void misc(void) {
  long double x = opaque(-1234.5678L), e, m;
  __asm__("fxtract" : "=t"(m), "=u"(e) : "0"(x));
  show_ld("xtract-sig", m);
  show_ld("xtract-exp", e);
  long double sc;
  __asm__("fscale" : "=t"(sc) : "0"(opaque(1.75L)), "u"(opaque(-20.9L)));
  show_ld("scale", sc);
  unsigned char bcd[10];
  __asm__("fbstp %0" : "=m"(bcd) : "t"(opaque(-987654321012345678.0L)) : "st");
  puts_("bcd: ");
  for (int i = 9; i >= 0; i--) hex(bcd[i], 2);
  x87_out('\n');
  long double back;
  __asm__("fbld %1" : "=t"(back) : "m"(bcd));
  show_ld("fbld", back);
  static const char* const cname[] = {"lt", "eq", "gt", "nan"};
  const long double cmp[] = {1, 2, 2, 1, 0, -0.0L};
  long double nan = opaque(0) / opaque(0);
  for (int i = 0; i < 4; i++) {
    long double a = i < 3 ? opaque(cmp[i]) : nan, b = opaque(cmp[i + 1]);
    puts_(cname[i]);
    puts_(": ");
    x87_out(a < b ? '<' : '.');
    x87_out(a == b ? '=' : '.');
    x87_out(a > b ? '>' : '.');
    x87_out(a != b ? '!' : '.');
    x87_out('\n');
  }
  show_ld("nan", nan);
  fnclex();
  volatile double zero = 0;
  double inf = 1 / zero;
  show_d("inf", inf);
  show_i("sw-zerodiv", fnstsw() & 0x3f);
  fnclex();
  show_d("inexact", 2 / opaque(3));
  show_i("sw-inexact", fnstsw() & 0x3f);
  fnclex();
}

static void save_restore(void) {
  unsigned char area[108];
  long double a = opaque(1.25L), b = opaque(-3), r0, r1;
  __asm__ volatile("fldt %3\n fldt %4\n fnsave %0\n fld1\n fldpi\n fstp %%st(0)\n fstp %%st(0)\n frstor %0\n"
                   "fstpt %1\n fstpt %2\n"
                   : "=m"(area), "=m"(r0), "=m"(r1)
                   : "m"(a), "m"(b)
                   : "memory");
  u16 fcw = (u16)(area[0] | area[1] << 8), fsw = (u16)(area[4] | area[5] << 8),
      ftw = (u16)(area[8] | area[9] << 8);
  show_i("fsave-fcw", fcw);
  show_i("fsave-fsw", fsw);
  show_i("fsave-ftw", ftw);
  show_ld("frstor-st0", r0);
  show_ld("frstor-st1", r1);
  union {
    long double d;
    unsigned char b[10];
  } st;
  for (int i = 0; i < 10; i++) st.b[i] = area[28 + i];
  show_ld("fsave-st0", st.d);
  u16 after;
  __asm__ volatile("fnstcw %0" : "=m"(after));
  show_i("fcw-after", after);
}

void x87_main(void) {
  puts_("x87 guest start\n");
  series();
  conversions();
  rounding();
  remainders();
  transcendentals();
  misc();
  save_restore();
  puts_("x87 guest done\n");
}
