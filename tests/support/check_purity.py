# SPDX-License-Identifier: Apache-2.0
"""Check that the core library is freestanding (DESIGN.md, rule 1 of the core).

Lists the symbols the library needs from outside itself (undefined in its
objects and defined in none of them) and fails on any that is not in the
allow-list: the <string.h> memory functions and the integer helpers of the
compiler run-time (libgcc, ARM EABI). Anything else, floating point helpers,
malloc and friends, stdio, libc time, is reported by kind.

With --objdump, also disassembles the objects and fails on any floating-point
instruction (ARM: VFP/NEON; x86: SSE/AVX scalar or packed float arithmetic
and conversions, x87), which a hard-float build would use without a helper
call. With --image, also checks that a linked image defines none of the
forbidden symbols (what the link pulled in).

Output: TAP, one line per check.

  check_purity.py --nm NM [--objdump OBJDUMP] [--image ELF] [--allow GLOB]... LIBRARY.a
"""

import argparse
import fnmatch
import os
import re
import subprocess
import sys

# Freestanding C library functions the core may call (<string.h>, no state,
# no locale, no allocation).
ALLOWED_LIBC = {
    "memcpy", "memset", "memmove", "memcmp", "memchr",
    "strlen", "strnlen", "strcmp", "strncmp", "strchr", "strrchr",
}

# Integer helpers of the compiler run-time.
ALLOWED_RUNTIME = [
    # ARM run-time ABI (RTABI): integer division, 64-bit arithmetic, memory.
    "__aeabi_uidiv", "__aeabi_idiv", "__aeabi_uidivmod", "__aeabi_idivmod",
    "__aeabi_ldivmod", "__aeabi_uldivmod", "__aeabi_lmul",
    "__aeabi_llsl", "__aeabi_llsr", "__aeabi_lasr", "__aeabi_lcmp", "__aeabi_ulcmp",
    "__aeabi_memcpy*", "__aeabi_memmove*", "__aeabi_memset*", "__aeabi_memclr*",
    "__aeabi_uread4", "__aeabi_uwrite4", "__aeabi_uread8", "__aeabi_uwrite8",
    "__aeabi_unwind_cpp_pr[012]",
    # Thumb-1 switch tables.
    "__gnu_thumb1_case_*",
    # libgcc integer routines (32, 64 and 128 bit).
    "__udivsi3", "__divsi3", "__umodsi3", "__modsi3",
    "__udivdi3", "__divdi3", "__umoddi3", "__moddi3", "__udivmoddi4", "__divmoddi4",
    "__udivti3", "__divti3", "__umodti3", "__modti3", "__udivmodti4", "__divmodti4",
    "__muldi3", "__multi3", "__mulvsi3", "__mulvdi3", "__addvsi3", "__addvdi3",
    "__subvsi3", "__subvdi3", "__negvsi2", "__negvdi2", "__absvsi2", "__absvdi2",
    "__ashldi3", "__ashrdi3", "__lshrdi3", "__ashlti3", "__ashrti3", "__lshrti3",
    "__cmpdi2", "__ucmpdi2", "__cmpti2", "__ucmpti2", "__negdi2", "__negti2",
    "__popcountsi2", "__popcountdi2", "__popcountti2",
    "__clzsi2", "__clzdi2", "__clzti2", "__ctzsi2", "__ctzdi2", "__ctzti2",
    "__ffssi2", "__ffsdi2", "__ffsti2", "__paritysi2", "__paritydi2",
    "__bswapsi2", "__bswapdi2", "__clrsbsi2", "__clrsbdi2",
    "__mulodi4", "__mulosi4", "__muloti4",
]

# Instrumentation a host build may add: stack protector, sanitizers, coverage.
ALLOWED_INSTRUMENTATION = [
    "__stack_chk_fail", "__stack_chk_guard", "__stack_chk_fail_local",
    "__asan_*", "__ubsan_*", "__tsan_*", "__msan_*", "__lsan_*", "__sanitizer_*",
    "__sancov_*", "__gcov_*", "__llvm_*", "__profc_*", "__profd_*",
    "_GLOBAL_OFFSET_TABLE_", "__tls_get_addr", "mcount", "_mcount", "__fentry__",
    "__cyg_profile_func_enter", "__cyg_profile_func_exit",
    "__memcpy_chk", "__memset_chk", "__memmove_chk",
]

LIBM = {
    "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh",
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "pow", "sqrt", "cbrt",
    "hypot", "fabs", "floor", "ceil", "round", "lround", "llround", "trunc", "rint",
    "lrint", "llrint", "nearbyint", "fmod", "remainder", "modf", "frexp", "ldexp",
    "scalbn", "fmin", "fmax", "fma", "copysign", "nan", "isnan", "isinf", "finite",
    "strtod", "strtof", "strtold", "atof",
}

HEAP = {
    "malloc", "free", "calloc", "realloc", "reallocarray", "aligned_alloc",
    "posix_memalign", "memalign", "valloc", "pvalloc", "strdup", "strndup",
    "sbrk", "_sbrk", "brk", "mmap", "alloca",
}

TIME = {
    "time", "clock", "difftime", "mktime", "timegm", "gmtime", "gmtime_r",
    "localtime", "localtime_r", "asctime", "asctime_r", "ctime", "ctime_r",
    "strftime", "gettimeofday", "_gettimeofday", "clock_gettime", "tzset",
    "nanosleep", "sleep", "usleep",
}

STDIO_RE = re.compile(
    r"^_*(v?(as|d|f|s|sn)?i?printf|v?(f|s)?i?scanf|puts|fputs|putchar|fputc|putc|getchar|"
    r"fgetc|getc|gets|fgets|fopen|fdopen|freopen|fclose|fflush|fread|fwrite|fseek|ftell|"
    r"rewind|perror|setvbuf|setbuf|ungetc|tmpfile|remove|rename|stdin|stdout|stderr|"
    r"_impure_ptr|_impure_data|_global_impure_ptr|write|read|open|close|lseek|isatty|fstat)"
    r"(_r|_chk|_unlocked)?$")

# Soft-float helpers: ARM RTABI (__aeabi_fadd, __aeabi_d2iz, __aeabi_i2f,
# __aeabi_cfcmple, ...) and libgcc (__addsf3, __floatsidf, __fixdfsi,
# __extendsfdf2, __truncdfsf2, __powisf2, __mulsc3, ...).
FLOAT_RE = re.compile(
    r"^(__aeabi_(c?[fd]\w*|[iu]?l?2[fdh]\w*|[fd]2\w*|h2f\w*)|"
    r"__\w*([sdtxh]f|[sdtxh]c)[0-9]?$|__fix(uns)?[sdtxh]f[sdt]i$|__gnu_(f2h|h2f)\w*|_fp_\w+)")


def classify(sym):
    """Kind of a forbidden symbol, for the report."""
    base = sym.split("@")[0]
    if FLOAT_RE.match(base) or base in LIBM or base.rstrip("fl") in LIBM:
        return "float"
    if base in HEAP or base.lstrip("_") in HEAP or re.match(r"^_?(malloc|free|calloc|realloc)_r$", base):
        return "heap"
    if base in TIME or base.lstrip("_") in TIME:
        return "time"
    if STDIO_RE.match(base):
        return "stdio"
    return "other"


def is_allowed(sym, patterns):
    base = sym.split("@")[0]
    return any(fnmatch.fnmatchcase(base, p) for p in patterns)


def run(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def read_symbols(nm, path):
    """(defined, undefined) external symbols of all objects in @p path.

    undefined maps each symbol to the objects that reference it."""
    rc, out, err = run([nm, "-g", path])
    if rc != 0:
        raise RuntimeError("%s -g %s failed: %s" % (nm, path, err.strip()))
    defined, undefined = set(), {}
    member = os.path.basename(path)
    for line in out.splitlines():
        line = line.rstrip()
        if not line:
            continue
        if line.endswith(":") and " " not in line.strip():
            member = line[:-1]
            continue
        parts = line.split()
        if len(parts) == 2 and parts[0] in ("U", "w", "v"):
            undefined.setdefault(parts[1], set()).add(member)
        elif len(parts) == 3:
            defined.add(parts[2])
    return defined, undefined


def elf_machine(path):
    """ELF e_machine of the first object in an archive (or of an ELF file), or None."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None

    def machine_of(blob):
        if len(blob) < 20 or blob[:4] != b"\x7fELF":
            return None
        order = "little" if blob[5] == 1 else "big"
        return int.from_bytes(blob[18:20], order)

    if data.startswith(b"\x7fELF"):
        return machine_of(data)
    magic = data[:8]
    if magic not in (b"!<arch>\n", b"!<thin>\n"):
        return None
    thin = magic == b"!<thin>\n"
    names = b""
    pos = 8
    while pos + 60 <= len(data):
        hdr = data[pos:pos + 60]
        name = hdr[:16].rstrip()
        size = int(hdr[48:58].strip() or b"0")
        body = pos + 60
        if name == b"//":
            names = data[body:body + size]
        elif name not in (b"/", b"/SYM64/"):
            if not thin:
                m = machine_of(data[body:body + size])
                if m is not None:
                    return m
            else:
                if name.startswith(b"/") and name[1:].isdigit():
                    off = int(name[1:])
                    end = names.find(b"\n", off)
                    member = names[off:end].rstrip(b"/")
                else:
                    member = name.rstrip(b"/")
                member_path = os.path.join(os.path.dirname(path), member.decode())
                m = elf_machine(member_path)
                if m is not None:
                    return m
        if not thin or name in (b"/", b"//", b"/SYM64/"):
            pos = body + size + (size & 1)
        else:
            pos = body
    return None


EM_ARM = 40
EM_AARCH64 = 183

ARM_FP_RE = re.compile(r"^v[a-z]")
X86_FP_RE = re.compile(
    # SSE/AVX float arithmetic, scalar and packed, and float moves/conversions;
    # not the bitwise and move forms (xorps, movaps, ...) used for plain copies.
    r"^v?(add|sub|mul|div|sqrt|min|max|rcp|rsqrt|round|cmp[a-z]*|u?comi|hadd|hsub|dp|"
    r"fn?m(add|sub)[0-9]*)(ss|sd|ps|pd)$|^v?mov(ss|sd)$|^v?cvt[a-z0-9]*$|"
    # x87
    r"^f(ld|st|add|sub|mul|div|ild|ist|isttp|com|ucom|chs|abs|sqrt|xch|ldz|ld1|prem|rndint|"
    r"scale|sin|cos|tan|atan|yl2x|2xm1|init|ninit|save|rstor|ldcw|stcw|nstcw)[a-z0-9]*$")


def find_fp_instructions(objdump, path, machine):
    """(instruction count, list of (member, function, instruction)) of FP instructions."""
    rc, out, err = run([objdump, "-d", "--no-show-raw-insn", path])
    if rc != 0:
        raise RuntimeError("%s -d %s failed: %s" % (objdump, path, err.strip()))
    pattern = ARM_FP_RE if machine in (EM_ARM, EM_AARCH64, None) else X86_FP_RE
    member, func = os.path.basename(path), "?"
    hits, count = [], 0
    for line in out.splitlines():
        m = re.match(r"^(\S+):\s+file format", line)
        if m:
            member = m.group(1)
            continue
        m = re.match(r"^[0-9a-f]+ <(.+)>:$", line)
        if m:
            func = m.group(1)
            continue
        fields = line.split("\t")
        if len(fields) < 2 or not re.match(r"^\s*[0-9a-f]+:$", fields[0]):
            continue
        mnemonic = fields[1].strip().split(" ")[0].lower()
        if not mnemonic or mnemonic.startswith("."):
            continue
        count += 1
        if machine == EM_AARCH64 and not re.search(r"\b[sdhqbv][0-9]+\b", line):
            continue
        if pattern.match(mnemonic):
            hits.append((member, func, " ".join(f.strip() for f in fields[1:])))
    return count, hits


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, ok, text, diag=(), skip=None):
        self.n += 1
        if skip is not None:
            print("ok %d - %s # SKIP %s" % (self.n, text, skip))
            return
        print("%s %d - %s" % ("ok" if ok else "not ok", self.n, text))
        if not ok:
            self.failed += 1
        for d in diag:
            print("# " + d)

    def diag(self, text):
        print("# " + text)

    def done(self):
        print("1..%d" % self.n)
        return 1 if self.failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--nm", required=True, help="nm of the target toolchain")
    ap.add_argument("--objdump", help="objdump of the target toolchain: also check instructions")
    ap.add_argument("--image", help="a linked image: check what the link pulled in")
    ap.add_argument("--allow", action="append", default=[], metavar="GLOB",
                    help="also allow symbols matching GLOB (repeatable)")
    ap.add_argument("library", help="the core static library (libmeter.a)")
    args = ap.parse_args()

    tap = Tap()
    try:
        defined, undefined = read_symbols(args.nm, args.library)
    except (OSError, RuntimeError) as e:
        tap.check(False, "nm reads %s" % args.library, [str(e)])
        return tap.done()
    machine = elf_machine(args.library)
    host = machine not in (EM_ARM, None)
    external = {s: objs for s, objs in undefined.items() if s not in defined}
    tap.check(bool(defined), "nm reads %s: %d symbols defined, %d needed from outside%s"
              % (os.path.basename(args.library), len(defined), len(external),
                 " (e_machine %s)" % machine if machine is not None else ""))

    allowed = sorted(ALLOWED_LIBC) + ALLOWED_RUNTIME + args.allow
    if host:
        allowed += ALLOWED_INSTRUMENTATION
    for sym in sorted(external):
        tap.diag("needs %s (%s)%s" % (sym, ", ".join(sorted(external[sym])),
                                       "" if is_allowed(sym, allowed) else "  <-- not allowed"))
    bad = {}
    for sym, objs in external.items():
        if not is_allowed(sym, allowed):
            bad.setdefault(classify(sym), []).append("%s in %s" % (sym, ", ".join(sorted(objs))))
    for kind, text in (("float", "no floating-point run-time calls"),
                       ("heap", "no heap allocation (malloc, free, ...)"),
                       ("stdio", "no stdio or system calls (printf, puts, write, ...)"),
                       ("time", "no libc time (time, localtime, ...)"),
                       ("other", "nothing else from outside the allow-list")):
        tap.check(kind not in bad, text, sorted(bad.get(kind, [])))

    if args.objdump:
        try:
            count, hits = find_fp_instructions(args.objdump, args.library, machine)
            diag = ["%s: %s: %s" % h for h in hits[:50]]
            if len(hits) > 50:
                diag.append("... %d more" % (len(hits) - 50))
            tap.check(count > 0 and not hits,
                      "no floating-point instructions in %d instructions of the core" % count,
                      diag if hits else ["objdump found no instructions"] if count == 0 else [])
        except (OSError, RuntimeError) as e:
            tap.check(False, "objdump disassembles the core", [str(e)])
    else:
        tap.check(True, "no floating-point instructions in the core", skip="no --objdump given")

    if args.image:
        try:
            img_defined, img_undefined = read_symbols(args.nm, args.image)
            rc, out, _ = run([args.nm, args.image])
            local = {l.split()[-1] for l in out.splitlines() if len(l.split()) == 3}
            present = (img_defined | local)
            forbidden = sorted("%s (%s)" % (s, classify(s)) for s in present
                               if classify(s) in ("float", "heap", "stdio", "time")
                               and not is_allowed(s, allowed))
            tap.check(not forbidden and not img_undefined,
                      "the linked image %s has no malloc, stdio, time or float helpers"
                      % os.path.basename(args.image),
                      forbidden + ["undefined: %s" % s for s in sorted(img_undefined)])
        except (OSError, RuntimeError) as e:
            tap.check(False, "nm reads the image %s" % args.image, [str(e)])
    return tap.done()


if __name__ == "__main__":
    sys.exit(main())
