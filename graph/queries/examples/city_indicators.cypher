// city_indicators -- $study, $city
// title: Indicators of a city
// description: The city-year observations: cultural industry (cul), digital technology (dig), the shares wfb and wsb, population and GDP per capita.
// param study: study = liaoning-sample
// param city: city = Shenyang
MATCH (c:City {study: $study, name: $city})-[:OBSERVED]->(o:Observation)
RETURN o.year AS year, o.cul AS cul, o.dig AS dig, o.wfb AS wfb, o.wsb AS wsb,
       o.pop AS pop, o.gdp_pc AS gdp_pc
ORDER BY year
