using System.Globalization;
using Microsoft.AspNetCore.WebUtilities;
using OpenTfa.Contracts.Twilio;
using OpenTfa.Core.Delivery;
using OpenTfa.Core.Errors;
using OpenTfa.Core.Pins;
using OpenTfa.Core.Twilio;

namespace OpenTfa.Server.Twilio;

/// <summary>OpenTfa's services, verifications and rate limits as Twilio's resources, with absolute URLs on this server.</summary>
internal static class TwilioWire
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 1000;

    public static string Date(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string BaseUrl(HttpRequest request) => $"{request.Scheme}://{request.Host}/v2";

    public static ServiceResource Service(HttpRequest request, TwilioService service)
    {
        string sid = TwilioSids.Of(TwilioSids.ServicePrefix, service.Application.Id);
        string url = $"{BaseUrl(request)}/Services/{sid}";
        TwilioServiceSettings settings = service.Settings;
        return new ServiceResource
        {
            Sid = sid,
            AccountSid = TwilioSids.Account(service.Application.TenantId),
            FriendlyName = service.Application.Name,
            CodeLength = settings.CodeLength,
            LookupEnabled = settings.LookupEnabled,
            Psd2Enabled = settings.Psd2Enabled,
            SkipSmsToLandlines = settings.SkipSmsToLandlines,
            DtmfInputRequired = settings.DtmfInputRequired,
            TtsName = settings.TtsName,
            DoNotShareWarningEnabled = settings.DoNotShareWarningEnabled,
            CustomCodeEnabled = settings.CustomCodeEnabled,
            Push = new() { ["include_date"] = false, ["apn_credential_sid"] = null, ["fcm_credential_sid"] = null },
            Totp = new() { ["issuer"] = null, ["time_step"] = null, ["code_length"] = null, ["skew"] = null },
            DefaultTemplateSid = settings.DefaultTemplateSid,
            Whatsapp = new() { ["msg_service_sid"] = null, ["from"] = null },
            VerifyEventSubscriptionEnabled = false,
            DateCreated = Date(service.Application.CreatedAt),
            DateUpdated = Date(service.Application.UpdatedAt),
            Url = url,
            Links = new()
            {
                ["verifications"] = $"{url}/Verifications",
                ["verification_checks"] = $"{url}/VerificationCheck",
                ["rate_limits"] = $"{url}/RateLimits",
            },
        };
    }

    public static VerificationResource Verification(HttpRequest request, Verification verification)
    {
        PinRecord pin = verification.Pin;
        string serviceSid = TwilioSids.Of(TwilioSids.ServicePrefix, pin.ApplicationId);
        string sid = TwilioSids.Of(TwilioSids.VerificationPrefix, pin.Id);
        return new VerificationResource
        {
            Sid = sid,
            ServiceSid = serviceSid,
            AccountSid = TwilioSids.Account(pin.TenantId),
            To = To(pin),
            Channel = Channel(verification),
            Status = Status(verification.Status),
            Valid = verification.Status == VerificationStatus.Approved,
            Lookup = verification.Lookup
                ? new()
                {
                    ["carrier"] = new Dictionary<string, object?>
                    {
                        ["error_code"] = null, ["name"] = null, ["mobile_country_code"] = null, ["mobile_network_code"] = null, ["type"] = verification.LineType,
                    },
                }
                : [],
            Amount = verification.Amount,
            Payee = verification.Payee,
            SendCodeAttempts = [.. verification.Attempts.Select(a => new SendCodeAttempt
            {
                AttemptSid = TwilioSids.Of(TwilioSids.AttemptPrefix, a.Id),
                Channel = ChannelName(a.Kind),
                Time = Date(a.CreatedAt),
            })],
            DateCreated = Date(pin.CreatedAt),
            DateUpdated = Date(Updated(verification)),
            Url = $"{BaseUrl(request)}/Services/{serviceSid}/Verifications/{sid}",
        };
    }

    public static VerificationCheckResource Check(Verification verification)
    {
        PinRecord pin = verification.Pin;
        return new VerificationCheckResource
        {
            Sid = TwilioSids.Of(TwilioSids.VerificationPrefix, pin.Id),
            ServiceSid = TwilioSids.Of(TwilioSids.ServicePrefix, pin.ApplicationId),
            AccountSid = TwilioSids.Account(pin.TenantId),
            To = To(pin),
            Channel = Channel(verification),
            Status = Status(verification.Status),
            Valid = verification.Status == VerificationStatus.Approved,
            Amount = verification.Amount,
            Payee = verification.Payee,
            DateCreated = Date(pin.CreatedAt),
            DateUpdated = Date(Updated(verification)),
            SnaAttemptsErrorCodes = Array.Empty<object>(),
        };
    }

    public static RateLimitResource RateLimit(HttpRequest request, TwilioRateLimit rateLimit)
    {
        string serviceSid = TwilioSids.Of(TwilioSids.ServicePrefix, rateLimit.ApplicationId);
        string sid = TwilioSids.Of(TwilioSids.RateLimitPrefix, rateLimit.Id);
        string url = $"{BaseUrl(request)}/Services/{serviceSid}/RateLimits/{sid}";
        return new RateLimitResource
        {
            Sid = sid,
            ServiceSid = serviceSid,
            AccountSid = TwilioSids.Account(rateLimit.TenantId),
            UniqueName = rateLimit.UniqueName!,
            Description = rateLimit.Description,
            DateCreated = Date(rateLimit.CreatedAt),
            DateUpdated = Date(rateLimit.UpdatedAt),
            Url = url,
            Links = new() { ["buckets"] = $"{url}/Buckets" },
        };
    }

    public static BucketResource Bucket(HttpRequest request, TwilioRateLimit bucket)
    {
        string serviceSid = TwilioSids.Of(TwilioSids.ServicePrefix, bucket.ApplicationId);
        string rateLimitSid = TwilioSids.Of(TwilioSids.RateLimitPrefix, bucket.ParentId!);
        string sid = TwilioSids.Of(TwilioSids.BucketPrefix, bucket.Id);
        return new BucketResource
        {
            Sid = sid,
            RateLimitSid = rateLimitSid,
            ServiceSid = serviceSid,
            AccountSid = TwilioSids.Account(bucket.TenantId),
            Max = bucket.Max,
            Interval = bucket.IntervalSeconds,
            DateCreated = Date(bucket.CreatedAt),
            DateUpdated = Date(bucket.UpdatedAt),
            Url = $"{BaseUrl(request)}/Services/{serviceSid}/RateLimits/{rateLimitSid}/Buckets/{sid}",
        };
    }

    /// <summary>
    /// One page of a list, by <c>PageSize</c> (1 to 1000, default 50) and <c>Page</c> (from 0); the page
    /// URLs carry both, with a <c>PageToken</c> as Twilio's do, so a library that follows
    /// <c>next_page_url</c> as given walks every page.
    /// </summary>
    public static Result<(List<T> Items, PageMeta Meta)> Page<T>(HttpRequest request, IReadOnlyList<T> all, string key)
    {
        int size = DefaultPageSize;
        int page = 0;
        if (request.Query["PageSize"].FirstOrDefault() is { } sizeText && (!int.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size is < 1 or > MaxPageSize))
        {
            return TwilioErrors.Invalid("PageSize", $"must be between 1 and {MaxPageSize}");
        }

        if (request.Query["Page"].FirstOrDefault() is { } pageText && (!int.TryParse(pageText, NumberStyles.None, CultureInfo.InvariantCulture, out page) || page > all.Count))
        {
            return TwilioErrors.Invalid("Page", "must be a page number from 0");
        }

        string path = $"{request.Scheme}://{request.Host}{request.Path}";
        string Url(int number) => QueryHelpers.AddQueryString(path, new Dictionary<string, string?>
        {
            ["PageSize"] = size.ToString(CultureInfo.InvariantCulture),
            ["Page"] = number.ToString(CultureInfo.InvariantCulture),
            ["PageToken"] = number == 0 ? null : $"PA{number * size}",
        });

        List<T> items = [.. all.Skip(page * size).Take(size)];
        bool more = (long)(page + 1) * size < all.Count;
        var meta = new PageMeta
        {
            Page = page,
            PageSize = size,
            FirstPageUrl = Url(0),
            PreviousPageUrl = page > 0 ? Url(page - 1) : null,
            Url = Url(page),
            NextPageUrl = more ? Url(page + 1) : null,
            Key = key,
        };
        return (items, meta);
    }

    public static string Status(VerificationStatus status) => status switch
    {
        VerificationStatus.Pending => "pending",
        VerificationStatus.Approved => "approved",
        VerificationStatus.Canceled => "canceled",
        VerificationStatus.MaxAttemptsReached => "max_attempts_reached",
        VerificationStatus.Expired => "expired",
        VerificationStatus.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(status)),
    };

    private static string To(PinRecord pin) => pin.Kind == ChannelKind.Email ? pin.Destination : "+" + pin.Destination;

    private static string Channel(Verification verification) => ChannelName(verification.Attempts.Count > 0 ? verification.Attempts[^1].Kind : verification.Pin.Kind);

    private static string ChannelName(ChannelKind kind) => kind switch
    {
        ChannelKind.Voice => "call",
        ChannelKind.Email => "email",
        ChannelKind.WhatsApp => "whatsapp",
        _ => "sms",
    };

    private static DateTimeOffset Updated(Verification verification)
    {
        PinRecord pin = verification.Pin;
        DateTimeOffset updated = pin.CreatedAt;
        foreach (DateTimeOffset? time in verification.Attempts.Select(a => (DateTimeOffset?)a.CreatedAt).Append(pin.VerifiedAt).Append(pin.CanceledAt))
        {
            if (time > updated)
            {
                updated = time.Value;
            }
        }

        return updated;
    }
}
