using System.Globalization;
using Microsoft.OpenApi;
using OpenTfa.Contracts;
using OpenTfa.Core.Applications;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Formats;
using OpenTfa.Core.Numbers;
using OpenTfa.Core.Observability;
using OpenTfa.Core.Protection;
using OpenTfa.Core.Tenancy;
using OpenTfa.Server.Auth;
using OpenTfa.Server.Errors;
using ProtectionPolicy = OpenTfa.Core.Protection.ProtectionPolicy;

using OpenTfa.Server.OpenApi;

namespace OpenTfa.Server.Endpoints;

/// <summary>Protection rules against SMS pumping: read and change them, and list what they refused or flagged.</summary>
internal static class ProtectionEndpoints
{
    private const long MaxUnixMilliseconds = 253_402_300_799_999;

    public static void MapProtection(this IEndpointRouteBuilder app)
    {
        RouteGroupBuilder v1 = app.MapGroup("/opentfa/v1").RequireScope(Scopes.Admin).WithTags("Protection");
        v1.MapGet("/protection", (HttpContext http, ProtectionService s, AuditLog audit, CancellationToken ct) => GetAsync(http, s, audit, ProtectionService.TenantDefault, ct))
            .Operation("getTenantProtection", "Get the tenant's default protection policy", "Test numbers masked, their PINs never shown.")
            .Query("unmasked", JsonSchemaType.Boolean, "Show test numbers in full (needs `opentfa:pii`; audited).").Answers<Contracts.ProtectionPolicy>();
        v1.MapPut("/protection", (HttpContext http, ProtectionService s, AuditLog audit, CancellationToken ct) => PutAsync(http, s, audit, ProtectionService.TenantDefault, ct))
            .Audited("protection.updated", "protection", targetOf: _ => ProtectionService.TenantDefault)
            .Operation("setTenantProtection", "Set the tenant's default protection policy", "Replaces the whole policy; fields left out take their defaults, unknown fields are refused.")
            .Takes<Contracts.ProtectionPolicy>().Answers<Contracts.ProtectionPolicy>();
        v1.MapGet("/applications/{appId}/protection", (string appId, HttpContext http, ProtectionService s, ApplicationService a, AuditLog audit, CancellationToken ct) => WithApplicationAsync(appId, http, a, () => GetAsync(http, s, audit, appId, ct), ct))
            .Operation("getApplicationProtection", "Get an application's effective protection policy", "Its own policy, or the tenant default when it has none.")
            .Query("unmasked", JsonSchemaType.Boolean, "Show test numbers in full (needs `opentfa:pii`; audited).").Answers<Contracts.ProtectionPolicy>();
        v1.MapPut("/applications/{appId}/protection", (string appId, HttpContext http, ProtectionService s, ApplicationService a, AuditLog audit, CancellationToken ct) => WithApplicationAsync(appId, http, a, () => PutAsync(http, s, audit, appId, ct), ct))
            .Audited("protection.updated", "protection", routeValue: "appId")
            .Operation("setApplicationProtection", "Set an application's protection policy", "Replaces the tenant default for this application as a whole.")
            .Takes<Contracts.ProtectionPolicy>().Answers<Contracts.ProtectionPolicy>();
        v1.MapGet("/applications/{appId}/protection/events", EventsAsync)
            .Operation("getProtectionEvents", "List what the rules refused or flagged", "`since` and the events' `at` are UNIX milliseconds; `limit` 1–10000 (default 1000).")
            .Answers<RuleEventsResponse>();
        v1.MapGet("/applications/{appId}/protection/blocks", BlocksAsync)
            .Operation("getGuardBlocks", "List the prefixes the pumping guard blocks").Answers<List<GuardBlockResponse>>();
        v1.MapGet("/applications/{appId}/protection/lockouts", LockoutsAsync)
            .Operation("getLockouts", "List destinations locked out by NIST mode", "With `minimumFailures`, also those on their way.")
            .Query("unmasked", JsonSchemaType.Boolean, "Show destinations in full (needs `opentfa:pii`; each use is audited).").Answers<List<LockoutResponse>>();
        v1.MapDelete("/applications/{appId}/protection/lockouts/{destination}", ClearLockoutAsync)
            .Audited("protection.lockout.cleared", "protection", routeValue: "appId")
            .Operation("clearLockout", "Clear a destination's lockout").AnswersNoContent();
    }

    private static async Task<IResult> WithApplicationAsync(string appId, HttpContext http, ApplicationService applications, Func<Task<IResult>> then, CancellationToken ct) =>
        (await applications.GetAsync(http.Caller().TenantId, appId, ct)).IsSuccess ? await then() : Problems.Result(new TfaError(ErrorKind.NotFound, ErrorTexts.ApplicationNotFound));

    /// <summary>
    /// The policy, its test numbers masked (in full with <c>unmasked=true</c> and <c>opentfa:pii</c>,
    /// audited) and their PINs never shown: a PIN is write-only once set.
    /// </summary>
    private static async Task<IResult> GetAsync(HttpContext http, ProtectionService service, AuditLog audit, string scope, CancellationToken ct)
    {
        if (!Unmasking.TryRead(http, out bool unmasked, out IResult? problem))
        {
            return problem!;
        }

        string tenant = http.Caller().TenantId;
        ProtectionPolicy policy = scope == ProtectionService.TenantDefault
            ? await service.GetStoredAsync(tenant, scope, ct) ?? new ProtectionPolicy()
            : await service.GetEffectiveAsync(tenant, scope, ct);
        if (unmasked && policy.TestNumbers.Count > 0)
        {
            await audit.RecordUnmaskedAsync(http.Caller(), "protection", scope, $"{policy.TestNumbers.Count} test numbers of {Describe(scope)}", ct);
        }

        return TypedResults.Json(Wire.ToWire(policy, unmasked), OpenTfaJsonContext.Wire.ProtectionPolicy);
    }

    /// <summary>Stores the policy, audits each test number it added, changed or removed, and answers it as GET does (masked).</summary>
    private static async Task<IResult> PutAsync(HttpContext http, ProtectionService service, AuditLog audit, string scope, CancellationToken ct)
    {
        Result<Contracts.ProtectionPolicy> body = await JsonBody.ReadAsync(http.Request, OpenTfaJsonContext.Wire.ProtectionPolicy, emptyAllowed: false, ct);
        if (!body.IsSuccess)
        {
            return Problems.Result(body.Error);
        }

        Result<ProtectionUpdate> saved = await service.SetAsync(http.Caller().TenantId, scope, Wire.ToCore(body.Value), ct);
        if (!saved.IsSuccess)
        {
            return Problems.Result(saved.Error);
        }

        foreach (TestNumberChange change in saved.Value.TestNumberChanges)
        {
            string action = change.Action switch
            {
                TestNumberChange.Added => AuditActions.TestNumberAdded,
                TestNumberChange.Changed => AuditActions.TestNumberChanged,
                _ => AuditActions.TestNumberRemoved,
            };
            string expiry = change.ExpiresAt is >= 0 and <= MaxUnixMilliseconds
                ? UnixTime.FromMilliseconds(change.ExpiresAt).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)
                : "never";
            await audit.RecordAsync(http.Caller(), http.Caller().TenantId, action, "protection", scope,
                $"test number {Destinations.Mask(change.Number)} expires {expiry} ({change.ExpiresAt}) in {Describe(scope)}", ct);
        }

        return TypedResults.Json(Wire.ToWire(saved.Value.Policy, unmasked: false), OpenTfaJsonContext.Wire.ProtectionPolicy);
    }

    private static string Describe(string scope) => scope == ProtectionService.TenantDefault ? "the tenant default policy" : $"application {scope}";

    private static Task<IResult> EventsAsync(string appId, long? since, int? limit, HttpContext http, ProtectionService service, ApplicationService applications, CancellationToken ct) =>
        WithApplicationAsync(appId, http, applications, async () =>
        {
            IReadOnlyList<RuleEvent> events = await service.ListEventsAsync(http.Caller().TenantId, appId, UnixTime.FromMilliseconds(since ?? 0), Math.Clamp(limit ?? 1000, 1, 10_000), ct);
            return TypedResults.Json(Wire.ToWire(events), OpenTfaJsonContext.Wire.RuleEventsResponse);
        }, ct);

    private static Task<IResult> BlocksAsync(string appId, HttpContext http, ProtectionService service, ApplicationService applications, CancellationToken ct) =>
        WithApplicationAsync(appId, http, applications, async () =>
        {
            IReadOnlyList<GuardBlock> blocks = await service.ListBlocksAsync(http.Caller().TenantId, appId, ct);
            return TypedResults.Json(blocks.Select(Wire.ToWire).ToList(), OpenTfaJsonContext.Wire.ListGuardBlockResponse);
        }, ct);

    /// <summary>
    /// Destinations locked out by NIST mode (or, with <paramref name="minimumFailures"/>, those on
    /// their way): masked, or in full with <c>unmasked=true</c> and <c>opentfa:pii</c> (audited).
    /// </summary>
    private static Task<IResult> LockoutsAsync(string appId, int? minimumFailures, HttpContext http, ProtectionService service, ApplicationService applications, AuditLog audit, CancellationToken ct) =>
        WithApplicationAsync(appId, http, applications, async () =>
        {
            if (minimumFailures is < 1)
            {
                return Problems.Result(TfaError.Field("minimumFailures", "must be at least 1"));
            }

            if (!Unmasking.TryRead(http, out bool unmasked, out IResult? problem))
            {
                return problem!;
            }

            IReadOnlyList<VerifyFailures> found = await service.ListLockoutsAsync(http.Caller().TenantId, appId, minimumFailures ?? NistMode.MaxConsecutiveFailures, ct);
            if (unmasked)
            {
                await audit.RecordUnmaskedAsync(http.Caller(), "lockouts", appId, $"{found.Count} destinations in the lockouts of application {appId}", ct);
            }

            return TypedResults.Json(found.Select(f => Wire.ToWire(f, unmasked)).ToList(), OpenTfaJsonContext.Wire.ListLockoutResponse);
        }, ct);

    private static Task<IResult> ClearLockoutAsync(string appId, string destination, HttpContext http, ProtectionService service, ApplicationService applications, CancellationToken ct) =>
        WithApplicationAsync(appId, http, applications, async () =>
        {
            string? canonical = Destinations.CanonicalPhone(destination);
            if (canonical is null)
            {
                return Problems.Result(TfaError.Field("destination", "must be a phone number in international format"));
            }

            return await service.ClearLockoutAsync(http.Caller().TenantId, appId, canonical, ct)
                ? TypedResults.NoContent()
                : Problems.Result(new TfaError(ErrorKind.NotFound, "This destination has no failed verifications to clear"));
        }, ct);
}
