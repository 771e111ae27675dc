# What `cmake --install BUILD [--prefix P]` puts under the prefix (README, "Embedding"):
#
#   lib/libfouille.so.0.1.0, .so.0, .so   the shared library (soname libfouille.so.0)
#   lib/libfouille.a                      the static library
#   include/fouille.h                     the API
#   bin/fouille-index                     with an $ORIGIN rpath to lib/ unless lib/ is a
#                                         system directory
#   bin/fouille-search                    libfouille linked in (CMakeLists.txt says why)
#   lib/pkgconfig/fouille.pc              pkg-config (--static for libfouille.a)
#   lib/cmake/fouille/                    find_package(fouille): fouille::fouille,
#                                         fouille::fouille_static
#   share/man/man1/fouille-{index,search}.1
#   share/doc/fouille/api.md              the API reference (docs/gen-api.py)
#
# lib/ is GNUInstallDirs' CMAKE_INSTALL_LIBDIR (lib/x86_64-linux-gnu with prefix /usr).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(FOUILLE_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/fouille)

install(TARGETS fouille EXPORT fouilleTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS fouille_static EXPORT fouilleStaticTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${PROJECT_SOURCE_DIR}/include/fouille.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# fouille-index finds the library next to it (P/bin -> P/lib) wherever P is, unless it
# goes to a directory the dynamic loader searches anyway (prefix /usr).
file(RELATIVE_PATH FOUILLE_BIN_TO_LIB ${CMAKE_INSTALL_FULL_BINDIR} ${CMAKE_INSTALL_FULL_LIBDIR})
if(NOT CMAKE_INSTALL_FULL_LIBDIR IN_LIST CMAKE_C_IMPLICIT_LINK_DIRECTORIES)
  set_target_properties(fouille-index PROPERTIES
    INSTALL_RPATH "$ORIGIN/${FOUILLE_BIN_TO_LIB}")
endif()
install(TARGETS fouille-index fouille-search RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

install(FILES ${PROJECT_SOURCE_DIR}/docs/man/fouille-index.1 ${PROJECT_SOURCE_DIR}/docs/man/fouille-search.1
  DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PROJECT_SOURCE_DIR}/docs/api.md DESTINATION ${CMAKE_INSTALL_DOCDIR})

# pkg-config: written at install time, for the prefix installed to.
configure_file(${PROJECT_SOURCE_DIR}/cmake/fouille-pc.cmake.in
  ${PROJECT_BINARY_DIR}/fouille-pc.cmake @ONLY)
install(SCRIPT ${PROJECT_BINARY_DIR}/fouille-pc.cmake)

# CMake package: fouille::fouille (shared) and, when its dependencies are found,
# fouille::fouille_static.
install(EXPORT fouilleTargets NAMESPACE fouille:: DESTINATION ${FOUILLE_CMAKEDIR})
install(EXPORT fouilleStaticTargets NAMESPACE fouille:: DESTINATION ${FOUILLE_CMAKEDIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/fouilleConfig.cmake.in
  ${PROJECT_BINARY_DIR}/fouilleConfig.cmake INSTALL_DESTINATION ${FOUILLE_CMAKEDIR}
  NO_SET_AND_CHECK_MACRO)
# The soname is libfouille.so.MAJOR: versions with the same major are compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/fouilleConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/fouilleConfig.cmake ${PROJECT_BINARY_DIR}/fouilleConfigVersion.cmake
  DESTINATION ${FOUILLE_CMAKEDIR})
