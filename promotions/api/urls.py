from django.urls import path

from promotions.api import campaigns, coupons, promotions, segments, shopper

app_name = "promotions_api"
urlpatterns = [
    # shoppers (the fixed paths before the promotion id)
    path("promotions/active/", shopper.ActivePromotionListApi.as_view(), name="promotion_active_list"),
    path("products/<id:product_id>/promotions/", shopper.ProductPromotionListApi.as_view(), name="product_promotions"),
    path("me/promotions/", shopper.MyPromotionListApi.as_view(), name="my_promotions"),
    path("me/coupons/", shopper.MyCouponListApi.as_view(), name="my_coupons"),
    path("me/coupons/<str:code>/", shopper.MyCouponDetailApi.as_view(), name="my_coupon"),
    # promotions (staff)
    path("promotions/", promotions.PromotionListApi.as_view(), name="promotion_list"),
    path("promotions/simulate/", promotions.PromotionSimulateApi.as_view(), name="promotion_simulate"),
    path("promotions/<id:promotion_id>/", promotions.PromotionDetailApi.as_view(), name="promotion_detail"),
    path("promotions/<id:promotion_id>/activate/", promotions.PromotionActivateApi.as_view(), name="promotion_activate"),
    path("promotions/<id:promotion_id>/deactivate/", promotions.PromotionDeactivateApi.as_view(), name="promotion_deactivate"),
    path("promotions/<id:promotion_id>/performance/", promotions.PromotionPerformanceApi.as_view(),
         name="promotion_performance"),
    # coupons (staff)
    path("promotions/<id:promotion_id>/coupons/", coupons.CouponCreateApi.as_view(), name="coupon_create"),
    path("promotions/<id:promotion_id>/coupons/generate/", coupons.CouponGenerateApi.as_view(), name="coupon_generate"),
    path("promotions/<id:promotion_id>/coupons/statistics/", coupons.PromotionCouponUsageApi.as_view(),
         name="promotion_coupon_usage"),
    path("coupon-batches/<id:batch_id>/csv/", coupons.CouponBatchCsvApi.as_view(), name="coupon_batch_csv"),
    path("coupon-batches/<id:batch_id>/distribute/", coupons.CouponDistributeApi.as_view(), name="coupon_batch_distribute"),
    path("coupon-batches/<id:batch_id>/statistics/", coupons.CouponBatchUsageApi.as_view(), name="coupon_batch_usage"),
    path("coupons/<str:code>/invalidate/", coupons.CouponInvalidateApi.as_view(), name="coupon_invalidate"),
    # campaigns (staff)
    path("campaigns/", campaigns.CampaignListApi.as_view(), name="campaign_list"),
    path("campaigns/<id:campaign_id>/", campaigns.CampaignDetailApi.as_view(), name="campaign_detail"),
    path("campaigns/<id:campaign_id>/launch/", campaigns.CampaignLaunchApi.as_view(), name="campaign_launch"),
    path("campaigns/<id:campaign_id>/end/", campaigns.CampaignEndApi.as_view(), name="campaign_end"),
    path("campaigns/<id:campaign_id>/roi/", campaigns.CampaignRoiApi.as_view(), name="campaign_roi"),
    # segments (staff)
    path("segments/", segments.SegmentListApi.as_view(), name="segment_list"),
    path("segments/<id:segment_id>/", segments.SegmentDetailApi.as_view(), name="segment_detail"),
    path("segments/<id:segment_id>/refresh/", segments.SegmentRefreshApi.as_view(), name="segment_refresh"),
    path("segments/<id:segment_id>/members/", segments.SegmentMembersApi.as_view(), name="segment_members"),
    path("segments/<id:segment_id>/promotions/", segments.SegmentPromotionsApi.as_view(), name="segment_promotions"),
]
