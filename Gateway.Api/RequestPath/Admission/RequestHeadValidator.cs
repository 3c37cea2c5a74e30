using FluentValidation;
using Gateway.Api.RequestPath.Wire;

namespace Gateway.Api.RequestPath.Admission;

/// <summary>The rules a well-typed request must also meet; the first failure names its field.</summary>
public sealed class RequestHeadValidator : AbstractValidator<RequestHead>
{
    public static readonly RequestHeadValidator Instance = new();

    RequestHeadValidator()
    {
        RuleFor(h => h.Model).NotEmpty().WithMessage("'model' is required.").OverridePropertyName("model");
        When(h => h.Operation == Operation.Chat, () =>
        {
            RuleFor(h => h.MessageCount).NotNull().WithMessage("'messages' is required.").OverridePropertyName("messages");
            RuleFor(h => h.MessageCount).GreaterThan(0).When(h => h.MessageCount is not null)
                .WithMessage("'messages' must contain at least one message.").OverridePropertyName("messages");
        });
        When(h => h.Operation == Operation.Embeddings, () =>
        {
            RuleFor(h => h.InputCount).NotNull().WithMessage("'input' is required.").OverridePropertyName("input");
            RuleFor(h => h.InputCount).GreaterThan(0).When(h => h.InputCount is not null)
                .WithMessage("'input' must not be empty.").OverridePropertyName("input");
        });
        RuleFor(h => h.MaxTokens).GreaterThan(0).When(h => h.MaxTokens is not null)
            .WithMessage("'max_tokens' must be at least 1.").OverridePropertyName("max_tokens");
    }
}
