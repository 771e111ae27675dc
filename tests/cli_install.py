#!/usr/bin/env python3
"""Install and embed: `cmake --install` into a temporary prefix, check what lands there,
index corpus/ with the installed fouille-index, then build examples/search_example.c
against the installed copy four ways and run each on that index:

  pkg-config, shared   cc ... $(pkg-config --cflags --libs fouille)
                       runs with LD_LIBRARY_PATH=PREFIX/lib (no rpath is linked in)
  pkg-config, static   cc ... $(pkg-config --static --cflags --libs fouille), -lfouille
                       given as -l:libfouille.a so that the archive is linked
  CMake, shared        find_package(fouille) + fouille::fouille (tests/embed/); runs
                       through the rpath CMake puts in the binaries it builds
  CMake, static        fouille::fouille_static

Every program must print what the build tree's fouille-example prints. Run by ctest
with FOUILLE_BIN (the build directory), FOUILLE_SOURCE_DIR, CMAKE_COMMAND, and CC and
FOUILLE_EMBED_FLAGS (the sanitizer flags of the build, which its consumers need too).
Prints 'N passed, N failed'."""
import filecmp
import glob
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

import clitest
from clitest import BIN, SRC, check

CMAKE = os.environ.get("CMAKE_COMMAND", "cmake")
CC = os.environ.get("CC") or "cc"
EXTRA = shlex.split(os.environ.get("FOUILLE_EMBED_FLAGS", ""))
EXAMPLE_SRC = os.path.join(SRC, "examples", "search_example.c")
QUERY = "réfugiés ukrainiens"
EXPECTED_PATH = "international-ukraine-refugies-pologne.txt"


def env_with(**extra):
    e = dict(os.environ)
    for k in ("FOUILLE_INDEX", "LD_LIBRARY_PATH", "PKG_CONFIG_PATH", "CMAKE_PREFIX_PATH"):
        e.pop(k, None)
    e.update(extra)
    return e


def run(args, env=None, cwd=None, timeout=300):
    p = subprocess.run(args, env=env or env_with(), cwd=cwd, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def dynamic(path):
    """(NEEDED libraries, RUNPATH/RPATH) of an ELF file, from readelf -d."""
    _, out, _ = run(["readelf", "-d", path])
    needed = re.findall(r"\(NEEDED\).*\[(.*)\]", out)
    runpath = re.findall(r"\((?:RUNPATH|RPATH)\).*\[(.*)\]", out)
    soname = re.findall(r"\(SONAME\).*\[(.*)\]", out)
    return needed, runpath, soname


def resolved_libfouille(path, env):
    """Where the dynamic loader finds libfouille.so.N for `path`, from ldd."""
    _, out, _ = run(["ldd", path], env=env)
    m = re.search(r"libfouille\.so\S*\s+=>\s+(\S+)", out)
    return os.path.realpath(m.group(1)) if m else None


def header_version():
    with open(os.path.join(SRC, "include", "fouille.h"), encoding="utf-8") as f:
        return re.search(r'#define FOUILLE_VERSION_STRING "([^"]+)"', f.read()).group(1)


def test_installed_files(prefix, version):
    """What `cmake --install` put under the prefix. Returns the library directory."""
    libs = glob.glob(os.path.join(prefix, "lib*", "**", "libfouille.so"), recursive=True)
    if not check(len(libs) == 1, "libfouille.so installed once under PREFIX/lib*", str(libs)):
        return None
    libdir = os.path.dirname(libs[0])
    major = version.split(".")[0]
    real = os.path.join(libdir, f"libfouille.so.{version}")
    check(os.path.isfile(real) and not os.path.islink(real), f"libfouille.so.{version} is the library")
    check(os.path.realpath(os.path.join(libdir, f"libfouille.so.{major}")) == real,
          f"libfouille.so.{major} -> libfouille.so.{version}")
    check(os.path.realpath(libs[0]) == real, f"libfouille.so -> libfouille.so.{version} (for -lfouille)")
    _, _, soname = dynamic(real)
    check(soname == [f"libfouille.so.{major}"], f"soname is libfouille.so.{major}", str(soname))
    check(os.path.isfile(os.path.join(libdir, "libfouille.a")), "libfouille.a installed next to it")

    header = os.path.join(prefix, "include", "fouille.h")
    check(os.path.isfile(header) and filecmp.cmp(header, os.path.join(SRC, "include", "fouille.h"), shallow=False),
          "include/fouille.h installed, identical to the source")
    for prog in ("fouille-index", "fouille-search"):
        check(os.access(os.path.join(prefix, "bin", prog), os.X_OK), f"bin/{prog} installed")
    # fouille-search starts once per query: libfouille is linked in, and it loads none of
    # the readers' libraries (CMakeLists.txt)
    needed, _, _ = dynamic(os.path.join(prefix, "bin", "fouille-search"))
    check(needed and not any(n.startswith(("libfouille.", "libxml2.", "libjansson.")) for n in needed),
          "bin/fouille-search needs neither libfouille.so nor libxml2 nor jansson", str(needed))
    for page in ("fouille-index.1", "fouille-search.1"):
        check(os.path.isfile(os.path.join(prefix, "share", "man", "man1", page)), f"share/man/man1/{page} installed")
    check(os.path.isfile(os.path.join(prefix, "share", "doc", "fouille", "api.md")), "share/doc/fouille/api.md installed")
    pc = os.path.join(libdir, "pkgconfig", "fouille.pc")
    check(os.path.isfile(pc), "LIBDIR/pkgconfig/fouille.pc installed")
    cmakedir = os.path.join(libdir, "cmake", "fouille")
    for f in ("fouilleConfig.cmake", "fouilleConfigVersion.cmake", "fouilleTargets.cmake",
              "fouilleStaticTargets.cmake"):
        check(os.path.isfile(os.path.join(cmakedir, f)), f"LIBDIR/cmake/fouille/{f} installed")
    # nothing of the build machine's source or build tree leaks into the package files
    for f in glob.glob(os.path.join(cmakedir, "*.cmake")) + [pc]:
        if os.path.isfile(f):
            with open(f, encoding="utf-8") as fh:
                text = fh.read()
            check(os.path.realpath(BIN) not in text and os.path.realpath(SRC) not in text,
                  f"{os.path.basename(f)} names neither the source nor the build directory")
    return libdir


def test_pkg_config_file(libdir, prefix, version):
    pcdir = os.path.join(libdir, "pkgconfig")
    env = env_with(PKG_CONFIG_PATH=pcdir)
    rc, out, err = run(["pkg-config", "--modversion", "fouille"], env=env)
    check(rc == 0 and out.strip() == version, f"pkg-config --modversion fouille is {version}", out + err)
    rc, out, err = run(["pkg-config", "--validate", "fouille"], env=env)
    check(rc == 0, "pkg-config --validate fouille", out + err)
    rc, out, err = run(["pkg-config", "--cflags", "fouille"], env=env)
    check(rc == 0 and f"-I{prefix}/include" in out, "--cflags point at PREFIX/include", out + err)
    rc, out, err = run(["pkg-config", "--libs", "fouille"], env=env)
    check(rc == 0 and out.split() == [f"-L{libdir}", "-lfouille"], "--libs is -LLIBDIR -lfouille, nothing else",
          out + err)
    rc, out, err = run(["pkg-config", "--static", "--libs", "fouille"], env=env)
    words = out.split()
    for lib in ("-lfouille", "-lxapian", "-lstemmer", "-lsqlite3", "-lutf8proc", "-lxml2", "-ljansson",
                "-lstdc++", "-lpthread", "-lm"):
        check(lib in words, f"--static --libs has {lib}", out + err)
    if "-lfouille" in words and "-lxapian" in words:
        check(words.index("-lfouille") < words.index("-lxapian"), "--static: -lfouille before its dependencies", out)
    return env


def build(args, what, env=None):
    rc, out, err = run(args, env=env)
    check(rc == 0, f"{what} builds", " ".join(shlex.quote(a) for a in args) + "\n" + out + err)
    return rc == 0


def test_example(binary, what, index, expected, env, libdir, static):
    needed, runpath, _ = dynamic(binary)
    has_libfouille = any(n.startswith("libfouille.so") for n in needed)
    if static:
        check(not has_libfouille, f"{what}: libfouille.a linked in, no libfouille.so needed", str(needed))
    else:
        check(has_libfouille, f"{what}: needs libfouille.so", str(needed))
        where = resolved_libfouille(binary, env)
        check(where is not None and os.path.dirname(where) == os.path.realpath(libdir),
              f"{what}: loads libfouille.so from the installed copy", f"{where}, runpath {runpath}")
    rc, out, err = run([binary, index, QUERY], env=env)
    check(rc == 0 and out == expected, f"{what}: prints what fouille-example prints",
          f"rc={rc}\n--- got\n{out}{err}\n--- expected\n{expected}")


def readme_program():
    """The C program of the README's Embedding section."""
    with open(os.path.join(SRC, "README.md"), encoding="utf-8") as f:
        text = f.read()
    section = text.split("\n## Embedding\n", 1)
    m = re.search(r"```c\n(.*?)```", section[1], re.S) if len(section) == 2 else None
    return m.group(1) if m else None


def main():
    example = os.path.join(BIN, "fouille-example")
    if not os.access(example, os.X_OK):
        print(f"missing {example}: build first", file=sys.stderr)
        return 1
    version = header_version()
    with tempfile.TemporaryDirectory(prefix="fouille-install-") as tmp:
        prefix = os.path.join(tmp, "prefix")
        rc, out, err = run([CMAKE, "--install", BIN, "--prefix", prefix])
        if not check(rc == 0, "cmake --install BUILD --prefix PREFIX", out + err):
            return finish()
        libdir = test_installed_files(prefix, version)
        if not libdir:
            return finish()

        # the installed programs find the installed library through their $ORIGIN rpath
        # (when installed to a system directory they have none and need no help)
        index_prog = os.path.join(prefix, "bin", "fouille-index")
        _, runpath, _ = dynamic(index_prog)
        run_env = env_with() if any("$ORIGIN" in r for r in runpath) else env_with(LD_LIBRARY_PATH=libdir)
        where = resolved_libfouille(index_prog, run_env)
        check(where is not None and os.path.dirname(where) == os.path.realpath(libdir),
              "installed fouille-index loads the installed libfouille.so", f"{where}, runpath {runpath}")

        # one index of corpus/, by the installed fouille-index, for every program below
        corpus = os.path.join(tmp, "corpus")
        shutil.copytree(os.path.join(SRC, "corpus"), corpus, ignore=shutil.ignore_patterns(".fouille"))
        rc, out, err = run([index_prog, "--quiet", corpus], env=run_env)
        if not check(rc == 0, "installed fouille-index indexes corpus/", out + err):
            return finish()
        index = os.path.join(corpus, ".fouille")
        rc, out, err = run([os.path.join(prefix, "bin", "fouille-search"), "--index", index, "--paths", QUERY],
                           env=run_env)
        check(rc == 0 and EXPECTED_PATH in out, f"installed fouille-search finds {EXPECTED_PATH}", out + err)

        rc, expected, err = run([example, index, QUERY])
        if not check(rc == 0 and EXPECTED_PATH in expected and "matches" in expected,
                     "the build tree's fouille-example finds it too", expected + err):
            return finish()

        # pkg-config
        pc_env = test_pkg_config_file(libdir, prefix, version)
        _, flags, _ = run(["pkg-config", "--cflags", "--libs", "fouille"], env=pc_env)
        exe = os.path.join(tmp, "example-pkgconfig-shared")
        if build([CC, "-std=c11", *EXTRA, EXAMPLE_SRC, "-o", exe, *shlex.split(flags)], "pkg-config shared"):
            test_example(exe, "pkg-config shared (LD_LIBRARY_PATH)", index, expected,
                         env_with(LD_LIBRARY_PATH=libdir), libdir, static=False)
        # the README's program (section "Embedding"), built the same way, run from tmp/
        # where its corpus/.fouille is
        readme_c = readme_program()
        if check(readme_c is not None, "README's Embedding section has a C program"):
            src = os.path.join(tmp, "readme.c")
            with open(src, "w", encoding="utf-8") as f:
                f.write(readme_c)
            exe = os.path.join(tmp, "readme")
            if build([CC, "-std=c11", "-pedantic", "-Wall", "-Wextra", "-Werror", *EXTRA, src, "-o", exe,
                      *shlex.split(flags)], "README's program"):
                rc, out, err = run([exe], env=env_with(LD_LIBRARY_PATH=libdir), cwd=tmp)
                with open(os.path.join(corpus, EXPECTED_PATH), encoding="utf-8") as f:
                    title = f.readline().strip()
                check(rc == 0 and title in out.splitlines(), f"README's program prints {title!r}", out + err)
        _, flags, _ = run(["pkg-config", "--static", "--cflags", "--libs", "fouille"], env=pc_env)
        flags = ["-l:libfouille.a" if f == "-lfouille" else f for f in shlex.split(flags)]
        exe = os.path.join(tmp, "example-pkgconfig-static")
        if build([CC, "-std=c11", *EXTRA, EXAMPLE_SRC, "-o", exe, *flags], "pkg-config static"):
            test_example(exe, "pkg-config static", index, expected, env_with(), libdir, static=True)

        # CMake: find_package(fouille) in a project of its own, C only
        embed_build = os.path.join(tmp, "embed-build")
        rc, out, err = run([CMAKE, "-S", os.path.join(SRC, "tests", "embed"), "-B", embed_build,
                            f"-DCMAKE_PREFIX_PATH={prefix}", f"-DCMAKE_C_COMPILER={CC}",
                            f"-DFOUILLE_EXAMPLE={EXAMPLE_SRC}", "-DCMAKE_BUILD_TYPE=Release",
                            f"-DCMAKE_C_FLAGS={' '.join(EXTRA)}", f"-DCMAKE_EXE_LINKER_FLAGS={' '.join(EXTRA)}"])
        if check(rc == 0, "tests/embed configures with find_package(fouille)", out + err):
            check(f"fouille {version}" in out, "tests/embed reports the version it found", out)
            if build([CMAKE, "--build", embed_build], "tests/embed (fouille::fouille, fouille::fouille_static)"):
                test_example(os.path.join(embed_build, "example_shared"), "CMake fouille::fouille (rpath)",
                             index, expected, env_with(), libdir, static=False)
                test_example(os.path.join(embed_build, "example_static"), "CMake fouille::fouille_static",
                             index, expected, env_with(), libdir, static=True)
        # a version the package does not provide is refused
        rc, out, err = run([CMAKE, "-S", os.path.join(SRC, "tests", "embed"), "-B", embed_build + "-v",
                            f"-DCMAKE_PREFIX_PATH={prefix}", f"-DCMAKE_C_COMPILER={CC}",
                            f"-DFOUILLE_EXAMPLE={EXAMPLE_SRC}", f"-DFOUILLE_VERSION_WANTED={int(version.split('.')[0]) + 1}"])
        check(rc != 0 and "compatible with requested version" in err and f"version: {version}" in err,
              "find_package(fouille NEXT_MAJOR) is refused (fouilleConfigVersion.cmake)", out + err)
    return finish()


def finish():
    return clitest.summary()


if __name__ == "__main__":
    sys.exit(main())
