// An independent reference for the record orders: plain comparators written from the contract
// (/work/shared/specs/sort-orders.md and its executable model tools/sort_model.py), reading the
// raw BAM fields themselves. Nothing here uses samsort's own code, so the property tests that
// compare samsort's output with it do not test the product with itself; it is checked against
// samtools' own sort test data (testdata/samtools-tests, reference_order_test.cpp).
#pragma once
#include <cstddef>
#include <vector>

#include "oracle.hpp"

namespace samsort::e2e {

// Input indices of `records` in the order `sort` requires: std::stable_sort with the
// reference comparator, so equal keys keep input order. Throws std::runtime_error when a
// template-coordinate key cannot be built (no MC on a paired read whose mate is mapped, or an
// MC, CB or MI tag that is not a string), and std::logic_error for a tag with
// template-coordinate.
std::vector<size_t> reference_order(const BamRecords& records, const OracleSort& sort);

// samtools' natural name compare (strnum_cmp, as the contract states it): <0, 0 or >0.
int reference_natural_compare(const char* a, const char* b);

}  // namespace samsort::e2e
