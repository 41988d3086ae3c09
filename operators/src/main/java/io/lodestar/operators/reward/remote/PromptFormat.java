package io.lodestar.operators.reward.remote;

import io.lodestar.schema.ChatMessage;
import java.util.List;

/**
 * How chat messages become the single prompt string a remote reward model reads. OpenRLHF sends the
 * prompt as its tokenizer's chat template rendered it; pick the format your reward server expects.
 */
public enum PromptFormat {
  /** Message contents joined by a blank line, no roles. */
  PLAIN {
    @Override
    public String render(List<ChatMessage> messages) {
      StringBuilder sb = new StringBuilder();
      for (ChatMessage m : messages) {
        if (sb.length() > 0) {
          sb.append("\n\n");
        }
        sb.append(m.getContent());
      }
      return sb.toString();
    }
  },
  /** ChatML ({@code <|im_start|>role\ncontent<|im_end|>}) ending with an open assistant turn. */
  CHATML {
    @Override
    public String render(List<ChatMessage> messages) {
      StringBuilder sb = new StringBuilder();
      for (ChatMessage m : messages) {
        sb.append("<|im_start|>")
            .append(m.getRole())
            .append('\n')
            .append(m.getContent())
            .append("<|im_end|>\n");
      }
      return sb.append("<|im_start|>assistant\n").toString();
    }
  };

  public abstract String render(List<ChatMessage> messages);
}
