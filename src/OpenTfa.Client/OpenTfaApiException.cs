using System.Net;

namespace OpenTfa.Client;

/// <summary>
/// An error answer from OpenTfa. Built from Infobip's envelope on <c>/2fa/2/*</c>
/// (<c>messageId</c>, <c>text</c>, <c>validationErrors</c>) and from ProblemDetails on
/// <c>/opentfa/v1/*</c> (<c>title</c>, <c>detail</c>, <c>errors</c>).
/// </summary>
public class OpenTfaApiException : Exception
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoErrors = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);

    public OpenTfaApiException()
        : this("OpenTfa answered with an error")
    {
    }

    public OpenTfaApiException(string message)
        : this(message, null)
    {
    }

    public OpenTfaApiException(string message, Exception? innerException)
        : base(message, innerException)
    {
        ValidationErrors = NoErrors;
    }

    public OpenTfaApiException(OpenTfaErrorDetails details, Exception? innerException = null)
        : base(details.Describe(), innerException)
    {
        ArgumentNullException.ThrowIfNull(details);
        StatusCode = details.StatusCode;
        MessageId = details.MessageId;
        Text = details.Text;
        Title = details.Title;
        ValidationErrors = details.ValidationErrors ?? NoErrors;
        RetryAfter = details.RetryAfter;
        ResponseBody = details.ResponseBody;
    }

    /// <summary>The HTTP status of the answer.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>Infobip's error id (<c>BAD_REQUEST</c>, <c>UNAUTHORIZED</c>, …); null for ProblemDetails answers.</summary>
    public string? MessageId { get; }

    /// <summary>What went wrong, in words: the envelope's <c>text</c>, or the ProblemDetails <c>detail</c> (else its <c>title</c>).</summary>
    public string? Text { get; }

    /// <summary>The ProblemDetails <c>title</c>; null for envelope answers.</summary>
    public string? Title { get; }

    /// <summary>Field (a dotted path such as <c>configuration.pinAttempts</c>) → what is wrong with it. Empty when none.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> ValidationErrors { get; }

    /// <summary>How long to wait before trying again, from the <c>Retry-After</c> header.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The raw body of the answer, for logging or diagnosis.</summary>
    public string? ResponseBody { get; }

    /// <summary>The exception type that fits the status: 400, 401, 403, 404, 429 and 5xx have their own.</summary>
    public static OpenTfaApiException Create(OpenTfaErrorDetails details)
    {
        ArgumentNullException.ThrowIfNull(details);
        return (int)details.StatusCode switch
        {
            400 => new OpenTfaBadRequestException(details),
            401 => new OpenTfaUnauthorizedException(details),
            403 => new OpenTfaForbiddenException(details),
            404 => new OpenTfaNotFoundException(details),
            429 => new OpenTfaRateLimitedException(details),
            >= 500 => new OpenTfaServerException(details),
            _ => new OpenTfaApiException(details),
        };
    }
}

/// <summary>Everything an error answer said; the input of <see cref="OpenTfaApiException"/>.</summary>
public sealed record OpenTfaErrorDetails(
    HttpStatusCode StatusCode,
    string? MessageId,
    string? Text,
    string? Title = null,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? ValidationErrors = null,
    TimeSpan? RetryAfter = null,
    string? ResponseBody = null)
{
    internal string Describe()
    {
        var message = new System.Text.StringBuilder();
        message.Append((int)StatusCode).Append(' ').Append(MessageId ?? Title ?? StatusCode.ToString());
        if (!string.IsNullOrEmpty(Text) && Text != Title)
        {
            message.Append(": ").Append(Text);
        }

        if (ValidationErrors is { Count: > 0 } errors)
        {
            message.Append(" (")
                .Append(string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")))
                .Append(')');
        }

        return message.ToString();
    }
}

/// <summary>400: the request was refused as it stands; see <see cref="OpenTfaApiException.ValidationErrors"/>.</summary>
public sealed class OpenTfaBadRequestException : OpenTfaApiException
{
    public OpenTfaBadRequestException(OpenTfaErrorDetails details)
        : base(details)
    {
    }
}

/// <summary>401: no API key, or one that is unknown, revoked or expired.</summary>
public sealed class OpenTfaUnauthorizedException : OpenTfaApiException
{
    public OpenTfaUnauthorizedException(OpenTfaErrorDetails details)
        : base(details)
    {
    }
}

/// <summary>403: the key lacks the scope the operation needs, or the application is disabled.</summary>
public sealed class OpenTfaForbiddenException : OpenTfaApiException
{
    public OpenTfaForbiddenException(OpenTfaErrorDetails details)
        : base(details)
    {
    }
}

/// <summary>404: no such application, template, PIN, key or message for this key's tenant.</summary>
public sealed class OpenTfaNotFoundException : OpenTfaApiException
{
    public OpenTfaNotFoundException(OpenTfaErrorDetails details)
        : base(details)
    {
    }
}

/// <summary>429: a limit was reached; <see cref="OpenTfaApiException.RetryAfter"/> says when a slot frees.</summary>
public sealed class OpenTfaRateLimitedException : OpenTfaApiException
{
    public OpenTfaRateLimitedException(OpenTfaErrorDetails details)
        : base(details)
    {
    }
}

/// <summary>5xx: the server could not serve the request (for example its store is down); worth retrying later.</summary>
public sealed class OpenTfaServerException : OpenTfaApiException
{
    public OpenTfaServerException(OpenTfaErrorDetails details)
        : base(details)
    {
    }
}
