/**
 * Backbones as specs (VGG16, VGG16-BN, ResNet-50 in torchvision's layout; small-image VGG-16-BN and
 * CIFAR ResNets) and safetensors weight import/export with torchvision's names.
 */
package org.waecompress.backbones;
