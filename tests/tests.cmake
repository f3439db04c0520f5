# Multi-file tests that the one-file-per-test glob cannot express.

# The conformance harness: one runner and one table file per group of
# operators (tests/conformance/cases_*.c).
file(GLOB UVRX_CONF_CASES CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/tests/conformance/cases_*.c)
rx_add_test(conformance
  ${PROJECT_SOURCE_DIR}/tests/conformance/conformance_main.c
  ${UVRX_CONF_CASES}
  TIMEOUT 600 LABELS conformance)
