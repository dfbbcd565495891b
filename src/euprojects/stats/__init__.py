"""Statistics of the whole data or of any search: counts, EU contribution and partners by
country, region, programme, fund, period, year, organisation type, role and source."""
