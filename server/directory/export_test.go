package directory

// Pages of two make every test's search of people and groups take several
// pages, so paging is proved wherever a test reads people (the test
// directory, like AD, refuses more than a few entries without paging).
func init() { pageSize = 2 }
