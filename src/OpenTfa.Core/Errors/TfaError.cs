using System.Diagnostics.CodeAnalysis;

namespace OpenTfa.Core.Errors;

public enum ErrorKind
{
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    TooManyRequests,
    Unavailable,
}

/// <summary>An expected failure, returned as a value and mapped to the wire by the host.</summary>
/// <param name="Code">Twilio's numeric error code, when a rule of the Twilio surface names one; otherwise the surface derives it from <see cref="Kind"/>.</param>
public sealed record TfaError(ErrorKind Kind, string Text, IReadOnlyDictionary<string, string[]>? ValidationErrors = null, TimeSpan? RetryAfter = null, int? Code = null)
{
    public static TfaError Validation(ValidationErrors errors) =>
        new(ErrorKind.BadRequest, errors.Summary(), errors.ToDictionary());

    public static TfaError Field(string field, string message) =>
        Validation(new ValidationErrors().Add(field, message));
}

/// <summary>Either a value or an expected failure.</summary>
public readonly struct Result<T>
{
    private Result(T? value, TfaError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public TfaError? Error { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    /// <summary>A success; needed where <typeparamref name="T"/> is an interface, which implicit conversions cannot take.</summary>
    [SuppressMessage("Design", "CA1000", Justification = "The factory belongs beside the implicit conversions it stands in for; Result<T>.Ok(x) reads as what it is.")]
    public static Result<T> Ok(T value) => new(value, null);

    public static implicit operator Result<T>(T value) => new(value, null);

    public static implicit operator Result<T>(TfaError error) => new(default, error);
}

/// <summary>Validation messages per field, keyed by the dotted wire path (<c>configuration.pinAttempts</c>).</summary>
public sealed class ValidationErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public ValidationErrors Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out List<string>? list))
        {
            _errors[field] = list = [];
        }

        list.Add(message);
        return this;
    }

    public bool Has(string field) => _errors.ContainsKey(field);

    public IReadOnlyDictionary<string, string[]> ToDictionary() =>
        _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    public string Summary() =>
        "Bad request: " + string.Join("; ", _errors.Select(e => $"{e.Key} {string.Join(", ", e.Value)}"));
}

/// <summary>The texts of the errors OpenTfa answers; one place, so that wording stays consistent.</summary>
public static class ErrorTexts
{
    public const string Unauthorized = "Invalid login details";
    public const string ApplicationNotFound = "Application not found";
    public const string TemplateNotFound = "Message template not found";
    public const string PinNotFound = "PIN not found";
    public const string ApplicationDisabled = "The application is disabled";
    public const string TooManyRequests = "Too many requests";
    public const string StoreUnavailable = "Something went wrong. Please contact support.";

    public static string MissingScope(string scope) => $"The API key lacks the scope '{scope}' that this operation needs";

    public static string LimitExceeded(string setting, string limit) => $"Too many requests: {setting} {limit} reached";

    /// <summary>A send or resend of a kind that no channel of this server carries (<c>SMS</c>, <c>voice</c>, <c>e-mail</c>).</summary>
    public static string NoChannel(string kind) => $"No {kind} channel is configured on this server";
}
