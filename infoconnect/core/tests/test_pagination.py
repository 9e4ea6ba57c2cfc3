from infoconnect.core.pagination import MAX_LIMIT, PageParams


def test_clean_reads_ids_and_bounds_limit():
    assert PageParams.clean(max_id="10", since_id="3", limit="5") == PageParams(10, 3, None, 5)
    assert PageParams.clean(limit="1000").limit == MAX_LIMIT
    assert PageParams.clean(limit="0").limit == 1
    assert PageParams.clean(limit="abc").limit == 20


def test_clean_ignores_bad_ids():
    assert PageParams.clean(max_id="abc", min_id="-5") == PageParams()
