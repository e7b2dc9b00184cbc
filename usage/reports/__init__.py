"""The members' season reports: rendering (`render`), the background batch (`batches`), who
downloads which (`selectors`, `views`) and the staff's admin (`admin`)."""
