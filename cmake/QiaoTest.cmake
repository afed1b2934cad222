# qiao_test(NAME SOURCES ... LIBS ... [LABELS ...] [TIMEOUT s]): one test binary, one ctest entry.
# Every test binary prints a closing "N passed, N failed" line (tests/qt.h).
set(QIAO_VECTORS_DIR "${CMAKE_SOURCE_DIR}/../shared/vectors" CACHE PATH "Shared real test vectors")
function(qiao_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES} ${CMAKE_SOURCE_DIR}/tests/qt.c
                         ${CMAKE_SOURCE_DIR}/tests/support/proc.c)
  target_link_libraries(${name} PRIVATE ${T_LIBS} qiao_core)
  target_compile_definitions(${name} PRIVATE
    QIAO_VECTORS_DIR="${QIAO_VECTORS_DIR}"
    QIAO_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
    QIAO_BINARY_DIR="${CMAKE_BINARY_DIR}")
  add_test(NAME ${name} COMMAND ${name})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT})
  if(T_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}")
  endif()
endfunction()

# qiao_fuzz(NAME SOURCE LIBS ...): a libFuzzer target, built only with -DQIAO_FUZZ=ON.
function(qiao_fuzz name source)
  if(QIAO_FUZZ)
    add_executable(${name} ${source})
    target_link_libraries(${name} PRIVATE ${ARGN} qiao_core)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  endif()
endfunction()
