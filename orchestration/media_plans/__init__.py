"""Media plans dropped into the inbox folder, imported through planning/ (sensor-driven, unpartitioned)."""
