# Dependencies come from Debian packages through pkg-config.  Each missing one is named together
# with the package that provides it, so a user knows what to install (./run installs them all).
find_package(PkgConfig)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "pkg-config not found: apt-get install pkg-config")
endif()

set(QIAO_MISSING "")
macro(qiao_require name module debpkg)
  pkg_check_modules(${name} IMPORTED_TARGET GLOBAL ${module})
  if(NOT ${name}_FOUND)
    set(QIAO_MISSING "${QIAO_MISSING} ${debpkg}")
  endif()
endmacro()

qiao_require(LWS libwebsockets libwebsockets-dev)
qiao_require(CJSON libcjson libcjson-dev)
qiao_require(SECP libsecp256k1 libsecp256k1-dev)
qiao_require(CRYPTO "libcrypto>=3.0" libssl-dev)
qiao_require(SSL "libssl>=3.0" libssl-dev)
qiao_require(SQLITE "sqlite3>=3.35" libsqlite3-dev)
if(QIAO_MISSING)
  message(FATAL_ERROR "Qiao: missing Debian packages:${QIAO_MISSING}\n"
                      "Install them with: apt-get install${QIAO_MISSING}  (or run ./run test)")
endif()

# libsecp256k1 must carry the recovery and schnorrsig modules; Debian builds them, but a
# hand-built library might not, and the failure would otherwise surface as a link error.
include(CheckSymbolExists)
set(CMAKE_REQUIRED_INCLUDES ${SECP_INCLUDE_DIRS})
set(CMAKE_REQUIRED_LIBRARIES ${SECP_LINK_LIBRARIES})
check_symbol_exists(secp256k1_ecdsa_recover "secp256k1_recovery.h" QIAO_HAVE_SECP_RECOVERY)
check_symbol_exists(secp256k1_schnorrsig_verify "secp256k1_schnorrsig.h" QIAO_HAVE_SECP_SCHNORR)
unset(CMAKE_REQUIRED_INCLUDES)
unset(CMAKE_REQUIRED_LIBRARIES)
if(NOT QIAO_HAVE_SECP_RECOVERY OR NOT QIAO_HAVE_SECP_SCHNORR)
  message(FATAL_ERROR "libsecp256k1 lacks the recovery or schnorrsig module: "
                      "install Debian's libsecp256k1-dev")
endif()
