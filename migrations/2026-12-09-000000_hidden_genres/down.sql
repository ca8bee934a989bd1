DROP TABLE hidden_genres;
