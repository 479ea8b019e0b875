"""Synthetic CreditGraph input files with planted ground truth.

``generate(out_dir, entities, seed)`` writes every input file of ``docs/formats.md``
(``businesses`` ... ``licences``, CSV or Parquet, exactly the documented columns)
and ``ground_truth.json``, which is *not* an input file: it says what was planted so that
ingest, detection jobs and benchmarks can be scored. The same seed gives byte-identical
files (one ``numpy.random.Generator``; no wall clock, no hash-ordered sets).

Everything is vectorised (numpy for numbers, pyarrow compute for strings): 1M businesses
take about 70 s of CPU and 3 GiB (orders and waybills are built and written in chunks of
a million rows). Only per-group work (holding trees, rings) loops in Python, over groups,
not over rows of the big files.

Ratios (``n`` = ``entities`` = businesses)
------------------------------------------
=====================  ==============================================================
businesses             ``n``; 2% foreign (``HK:`` ``VG:`` ``KY:`` ``SG:`` ``US-DE:``)
people                 ``1.3 n``; ~1% passport, ~0.3% ``other`` id types
roles                  ~``2.8 n``: one legal representative in force per domestic
                       business (8% with an earlier, ended one), directors (25% of
                       businesses), supervisors (60%), managers (35%), declared actual
                       controllers (~4%), registration agents (hub members + 2%)
shareholdings          ~``2.1 n``: natural persons, holding trees (10% of businesses,
                       depth <= 4 below the root), offshore and domestic minority
                       stakes, cross-holdings (``n/5000`` pairs), cycles (``n/20000``, >= 1)
stores                 ``0.6 n`` + reopened and repeat-infringer stores; operators
                       heavy-tailed, capped (the largest run about 1,100-1,200)
brands                 ``n/100`` (>= 5)
accounts               ``2 n`` + fake ring accounts
orders                 ``10 n`` normal + brushing rings with camouflage
waybills               one per order for 95% of orders
listings               ~``0.11 n``; violations ~``0.035 n``
infringement_reports   1-3 per (counterfeit store, brand) + 20% false reports
licences               ~``0.3 n``: by the industry in the business name (food and tea
                       sellers ~90% a food operation licence, media publication, internet
                       ICP ...); about 70% in force, the rest lapsed, revoked or suspended
                       (most of a revoked or cancelled business's); a quarter of those in
                       force with the expired licence they renewed; shells hold none
=====================  ==============================================================

Planted structures: shell clusters (``max(3, n/400)``, 3-30 members each, registered within
30 days at one address, sharing phones, e-mails and legal representatives); legitimate hubs
that must *not* be taken for clusters (registration-agent addresses with 20-800 tenants,
agent phones, a platform customer-service phone, registration agents); reopened stores;
counterfeit stores and repeat infringers; brushing rings (``max(2, n/2000)``, see
:class:`BrushingParams`); the same address written two ways; optionally bad rows.

Conventions the ingest side relies on
-------------------------------------
* Orders on ``tmall`` are placed by ``taobao:`` accounts (one Alibaba buyer account); on every
  other platform the account and the store share the platform prefix.
* Ended roles/holdings end the day before their successor starts, so shares in force on any
  one date sum to <= 1 per business; summed over all rows (history included) they may not.
* Foreign businesses have no status, region, roles or holders of their own.
* ``complainant`` of an infringement report is the brand owner's business or person id.
* Parquet files hold the same string dates/timestamps as the CSV files.
* Phones appear as mobiles, ``0571-87654321`` landlines, ``+86 138...`` (variants) and
  platform service numbers (``95188``); e-mails are plain.
* ``licences`` is written last (after every other file's random draws), so a seed gives the
  same other files as before licences existed; 30% of lapsed licences are still recorded
  ``valid`` (their ``expires`` has passed).
* ``bad_rows`` rows are *extra* rows; ``row`` is the 0-based data row (CSV line = row + 2).

``ground_truth.json`` keys: ``shell_clusters`` (lists of business ids), ``hub_addresses``,
``hub_phones``, ``platform_service_phones``, ``registration_agents`` (person ids): the
legitimate sharing; ``address_variants`` and ``phone_variants`` ([canonical, as written]);
``holding_groups``, ``ownership_cycles``, ``cross_holdings`` (business ids);
``reopened_stores`` and ``reopened_via_legal_representative`` ([old, new] store ids);
``counterfeit_stores`` ({store_id, brand_id}); ``repeat_infringers`` ({operator_type,
operator_id, stores}); ``false_reports`` (report ids); ``brushing_rings`` ({platform,
accounts, stores}); ``bad_rows`` ({file, row, field, kind, value}); and the run's
parameters (``seed``, ``entities``, ``format``, ``noise``, ``bad_rows_rate``,
``brushing_params``, ``schema_version``).

Where each part is made
-----------------------
``world.generate`` runs the parts in a fixed order (the order fixes the random stream):
``registry`` (businesses, people, their id numbers), ``ownership`` (shareholdings, roles),
``stores``, ``brands`` (brands, counterfeits, infringement reports), ``commerce`` (accounts,
orders, waybills, brushing rings), ``listings`` (listings, violations) and ``licences``;
``bad_rows`` makes the invalid rows and ``output`` writes the files and the ground truth.
``offshore`` (``generate(..., offshore=N)``) writes a separate offshore registry slice to
``OUT/offshore`` from its own random stream, so it changes no byte of the main files.
``vocab`` holds the vocabularies and the calendar, ``columns`` the vectorised helpers,
``context`` the run's random generator and the strings every part draws, ``params`` the
parameters and the result. ``market`` stands apart: in-memory markets with planted rings for
the ring detector's tests and benchmarks (no files). Changing any of them changes the bytes
for a seed: ``tests/unit/test_generate_package.py`` holds the digests.
"""

from ingest.generate.output import COLUMNS, INPUT_FILES
from ingest.generate.params import BrushingParams, Camouflage, GenerationSummary
from ingest.generate.world import generate

__all__ = [
    "COLUMNS",
    "INPUT_FILES",
    "BrushingParams",
    "Camouflage",
    "GenerationSummary",
    "generate",
]
