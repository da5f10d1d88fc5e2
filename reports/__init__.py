"""Reports the kecamatan hands in: the LKjIP tables, the recap workbook, CSV files and charts."""
