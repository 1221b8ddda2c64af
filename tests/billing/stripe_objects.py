"""Stripe objects and events in the shapes Stripe publishes for the API version we pin (the fixtures
of its OpenAPI description), holding our own invented values.

Every top-level field is present, null where Stripe sends null, so a test sees what a webhook or an
API read really carries: the period on the subscription items only, ``cancel_at`` beside
``cancel_at_period_end``, the card on the subscription and not on the customer after Checkout, an
address of nulls.
"""

from __future__ import annotations

import json
import time
from itertools import count

from billing.providers.stripe_provider import API_VERSION

_sequence = count(1)
NULL_ADDRESS = {"city": None, "country": None, "line1": None, "line2": None, "postal_code": None, "state": None}


def _suffix() -> str:
    return f"{int(time.time() * 1000) % 10**9:09d}{next(_sequence):04d}"


def payment_method(*, pm_id: str, customer: str, brand: str = "visa", last4: str = "4242",
                   exp_month: int = 8, exp_year: int = 2030, created: int | None = None) -> dict:
    return {
        "id": pm_id, "object": "payment_method", "allow_redisplay": "always",
        "billing_details": {"address": {**NULL_ADDRESS, "country": "US", "postal_code": "10115"},
                            "email": None, "name": "Robin Example", "phone": None, "tax_id": None},
        "card": {
            "brand": brand, "checks": {"address_line1_check": None, "address_postal_code_check": "pass",
                                       "cvc_check": "pass"},
            "country": "US", "display_brand": brand, "exp_month": exp_month, "exp_year": exp_year,
            "fingerprint": f"fp{pm_id[-8:]}", "funding": "credit", "generated_from": None, "last4": last4,
            "networks": {"available": [brand], "preferred": None}, "regulated_status": "unregulated",
            "three_d_secure_usage": {"supported": True}, "wallet": None,
        },
        "created": created or int(time.time()), "customer": customer, "customer_account": None,
        "livemode": False, "metadata": {}, "type": "card",
    }


def customer(*, customer_id: str, email: str, address: dict | None = None,
             default_payment_method: str | None = None, created: int | None = None) -> dict:
    return {
        "id": customer_id, "object": "customer", "address": address or dict(NULL_ADDRESS), "balance": 0,
        "created": created or int(time.time()), "currency": "usd", "customer_account": None,
        "default_source": None, "delinquent": False, "description": None, "discount": None, "email": email,
        "invoice_prefix": "A1B2C3D4",
        "invoice_settings": {"custom_fields": None, "default_payment_method": default_payment_method,
                             "footer": None, "rendering_options": None},
        "livemode": False, "metadata": {}, "name": None, "next_invoice_sequence": 2, "phone": None,
        "preferred_locales": [], "shipping": None, "tax_exempt": "none", "test_clock": None,
    }


def subscription_item(*, sub_id: str, price_id: str, period_start: int, period_end: int,
                      interval: str = "month", unit_amount: int = 24900) -> dict:
    item_id = f"si_test{_suffix()}"
    return {
        "id": item_id, "object": "subscription_item", "billing_thresholds": None, "created": period_start,
        "current_period_end": period_end, "current_period_start": period_start, "discounts": [],
        "metadata": {},
        "plan": {"id": price_id, "object": "plan", "active": True, "amount": unit_amount,
                 "amount_decimal": str(unit_amount), "billing_scheme": "per_unit", "created": period_start,
                 "currency": "usd", "interval": interval, "interval_count": 1, "livemode": False, "metadata": {},
                 "meter": None, "nickname": None, "product": "prod_test_plan", "tiers_mode": None,
                 "transform_usage": None, "trial_period_days": None, "usage_type": "licensed"},
        "price": {"id": price_id, "object": "price", "active": True, "billing_scheme": "per_unit",
                  "created": period_start, "currency": "usd", "custom_unit_amount": None, "livemode": False,
                  "lookup_key": None, "metadata": {}, "nickname": None, "product": "prod_test_plan",
                  "recurring": {"interval": interval, "interval_count": 1, "meter": None,
                                "trial_period_days": None, "usage_type": "licensed"},
                  "tax_behavior": "unspecified", "tiers_mode": None, "transform_quantity": None,
                  "type": "recurring", "unit_amount": unit_amount, "unit_amount_decimal": str(unit_amount)},
        "quantity": 1, "subscription": sub_id, "tax_rates": [],
    }


def subscription(*, sub_id: str, customer: str, items: list[dict], status: str = "active",
                 default_payment_method: str | None = None, cancel_at: int | None = None,
                 cancel_at_period_end: bool = False, canceled_at: int | None = None,
                 trial_start: int | None = None, trial_end: int | None = None, metadata: dict | None = None,
                 billing_mode: str = "flexible", created: int | None = None) -> dict:
    created = created or min(item["current_period_start"] for item in items)
    cancelled = cancel_at is not None or cancel_at_period_end
    return {
        "id": sub_id, "object": "subscription", "application": None, "application_fee_percent": None,
        "automatic_tax": {"disabled_reason": None, "enabled": False, "liability": None},
        "billing_cycle_anchor": created, "billing_cycle_anchor_config": None,
        "billing_mode": {"flexible": {"proration_discounts": "included"} if billing_mode == "flexible" else None,
                         "type": billing_mode, "updated_at": created},
        "billing_thresholds": None, "cancel_at": cancel_at, "cancel_at_period_end": cancel_at_period_end,
        "canceled_at": canceled_at,
        "cancellation_details": {"comment": None, "feedback": None,
                                 "reason": "cancellation_requested" if cancelled else None},
        "collection_method": "charge_automatically", "created": created, "currency": "usd",
        "customer": customer, "customer_account": None, "days_until_due": None,
        "default_payment_method": default_payment_method, "default_source": None, "default_tax_rates": [],
        "description": None, "discounts": [], "ended_at": None,
        "invoice_settings": {"account_tax_ids": None, "issuer": {"type": "self"}},
        "items": {"object": "list", "data": items, "has_more": False, "total_count": len(items),
                  "url": f"/v1/subscription_items?subscription={sub_id}"},
        "latest_invoice": f"in_test{_suffix()}", "livemode": False, "metadata": metadata or {},
        "next_pending_invoice_item_invoice": None, "on_behalf_of": None, "pause_collection": None,
        "payment_settings": {"payment_method_options": None, "payment_method_types": None,
                             "save_default_payment_method": "off"},
        "pending_invoice_item_interval": None, "pending_setup_intent": None, "pending_update": None,
        "schedule": None, "start_date": created, "status": status, "test_clock": None, "transfer_data": None,
        "trial_end": trial_end, "trial_settings": {"end_behavior": {"missing_payment_method": "cancel"}},
        "trial_start": trial_start,
    }


def checkout_session(*, customer: str, subscription: str, client_reference_id: str, metadata: dict,
                     created: int | None = None) -> dict:
    created = created or int(time.time())
    session_id = f"cs_test_{_suffix()}"
    return {
        "id": session_id, "object": "checkout.session", "adaptive_pricing": None, "after_expiration": None,
        "allow_promotion_codes": None, "amount_subtotal": 0, "amount_total": 0,
        "automatic_tax": {"enabled": False, "liability": None, "provider": None, "status": None},
        "billing_address_collection": "auto", "cancel_url": "https://app.example.test/billing/checkout/cancel/",
        "client_reference_id": client_reference_id, "client_secret": None, "collected_information": None,
        "consent": None, "consent_collection": None, "created": created, "currency": "usd",
        "custom_fields": [], "custom_text": {"after_submit": None, "shipping_address": None, "submit": None,
                                             "terms_of_service_acceptance": None},
        "customer": customer, "customer_account": None, "customer_creation": None,
        "customer_details": {"address": {**NULL_ADDRESS, "country": "US", "postal_code": "10115"},
                             "business_name": None, "email": "robin@example.test", "individual_name": None,
                             "name": "Robin Example", "phone": None, "tax_exempt": "none", "tax_ids": []},
        "customer_email": None, "discounts": [], "expires_at": created + 86400, "invoice": None,
        "invoice_creation": None, "livemode": False, "locale": None, "metadata": metadata, "mode": "subscription",
        "origin_context": None, "payment_intent": None, "payment_link": None, "payment_method_collection": "always",
        "payment_method_configuration_details": None,
        "payment_method_options": {"card": {"request_three_d_secure": "automatic"}},
        "payment_method_types": ["card"], "payment_status": "no_payment_required", "permissions": None,
        "phone_number_collection": {"enabled": False}, "recovered_from": None, "saved_payment_method_options": None,
        "setup_intent": None, "shipping_address_collection": None, "shipping_cost": None, "shipping_options": [],
        "status": "complete", "submit_type": None, "subscription": subscription,
        "success_url": "https://app.example.test/billing/checkout/success/?session_id={CHECKOUT_SESSION_ID}",
        "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0}, "ui_mode": "hosted",
        "url": None, "wallet_options": None,
    }


def invoice(*, customer: str, subscription: str, amount_paid: int, created: int | None = None) -> dict:
    created = created or int(time.time())
    return {
        "id": f"in_test{_suffix()}", "object": "invoice", "account_country": "US", "account_name": "Creator Radar",
        "amount_due": amount_paid, "amount_paid": amount_paid, "amount_remaining": 0, "amount_shipping": 0,
        "attempt_count": 1, "attempted": True, "billing_reason": "subscription_cycle",
        "collection_method": "charge_automatically", "created": created, "currency": "usd", "customer": customer,
        "customer_address": None, "customer_email": "robin@example.test", "default_payment_method": None,
        "hosted_invoice_url": "https://invoice.stripe.com/i/test", "livemode": False, "metadata": {},
        "parent": {"quote_details": None, "type": "subscription_details",
                   "subscription_details": {"metadata": {}, "subscription": subscription}},
        "period_end": created, "period_start": created - 30 * 86400, "status": "paid",
        "status_transitions": {"finalized_at": created, "marked_uncollectible_at": None, "paid_at": created,
                               "voided_at": None},
        "subtotal": amount_paid, "total": amount_paid,
    }


def event(event_type: str, obj: dict, *, created: int | None = None, previous_attributes: dict | None = None) -> str:
    """The event as delivered to the webhook endpoint: the JSON body Stripe signs."""
    data = {"object": obj}
    if previous_attributes is not None:
        data["previous_attributes"] = previous_attributes
    return json.dumps({
        "id": f"evt_test{_suffix()}", "object": "event", "api_version": API_VERSION,
        "created": created or int(time.time()), "data": data, "livemode": False, "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None}, "type": event_type,
    })


def plan(*, price_id: str, amount: int, interval: str = "month") -> dict:
    """A recurring price read through the Plans API (``GET /v1/plans/<price id>``)."""
    return {
        "id": price_id, "object": "plan", "active": True, "amount": amount, "amount_decimal": str(amount),
        "billing_scheme": "per_unit", "created": int(time.time()), "currency": "usd", "interval": interval,
        "interval_count": 1, "livemode": False, "metadata": {}, "meter": None, "nickname": None,
        "product": "prod_test_plan", "tiers_mode": None, "transform_usage": None, "trial_period_days": None,
        "usage_type": "licensed",
    }


def invoice_line(*, description: str, amount: int, price_id: str, proration: bool, start: int, end: int,
                 subscription: str = "sub_test") -> dict:
    """A line of an invoice: a proration says so under ``parent`` since 2025-03-31."""
    return {
        "id": f"il_tmp_{_suffix()}", "object": "line_item", "amount": amount, "currency": "usd",
        "description": description, "discount_amounts": [], "discountable": not proration, "discounts": [],
        "invoice": None, "livemode": False, "metadata": {},
        "parent": {"invoice_item_details": None, "type": "subscription_item_details",
                   "subscription_item_details": {"invoice_item": f"ii_test{_suffix()}" if proration else None,
                                                 "proration": proration,
                                                 "proration_details": {"credited_items": None},
                                                 "subscription": subscription, "subscription_item": "si_test"}},
        "period": {"end": end, "start": start}, "pretax_credit_amounts": [],
        "pricing": {"price_details": {"price": price_id, "product": "prod_test_plan"}, "type": "price_details",
                    "unit_amount_decimal": str(amount)},
        "quantity": 1, "taxes": [],
    }


def invoice_preview(*, customer: str, subscription: str, lines: list[dict], starting_balance: int = 0,
                    billing_reason: str = "subscription_update") -> dict:
    """What ``POST /v1/invoices/create_preview`` answers: a draft invoice that was never created."""
    total = sum(line["amount"] for line in lines)
    due = max(0, total + min(0, starting_balance))
    now = int(time.time())
    return {
        "id": f"upcoming_in_test{_suffix()}", "object": "invoice", "account_country": "US",
        "account_name": "Creator Radar", "amount_due": due, "amount_paid": 0, "amount_remaining": due,
        "amount_shipping": 0, "attempt_count": 0, "attempted": False, "billing_reason": billing_reason,
        "collection_method": "charge_automatically", "created": now, "currency": "usd", "customer": customer,
        "customer_address": None, "customer_email": "robin@example.test", "default_payment_method": None,
        "ending_balance": None, "hosted_invoice_url": None, "livemode": False, "metadata": {},
        "lines": {"object": "list", "data": lines, "has_more": False, "total_count": len(lines),
                  "url": "/v1/invoices/upcoming/lines"},
        "parent": {"quote_details": None, "type": "subscription_details",
                   "subscription_details": {"metadata": {}, "subscription": subscription}},
        "period_end": now, "period_start": now, "starting_balance": starting_balance, "status": "draft",
        "subtotal": total, "total": total,
    }
