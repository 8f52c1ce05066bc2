"""Classic sequential baselines (GRU4Rec, Caser, SASRec, LinRec, Mamba4Rec, MoRec) on RecBole 1.2.1."""

from models.classic.recommender import ClassicRecommender, model_class
from models.classic.settings import MODEL_NAMES, default_settings, load_settings

__all__ = ["MODEL_NAMES", "ClassicRecommender", "default_settings", "load_settings", "model_class"]
