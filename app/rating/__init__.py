"""The citizen-facing rating screen of one counter (`python -m app rating --counter N`): after each visit, a face
per level, a reason when unhappy, a thank-you. Rules in app/core/rating.py, routes in app/service/rating_routes.py."""
